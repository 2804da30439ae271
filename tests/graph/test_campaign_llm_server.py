"""Campaigns with every role on the OpenAI-compatible test server: healthy, then faulty.

The real langchain-openai client of each role talks HTTP to the loopback server. A campaign
whose models fail now and then completes, or pauses with its reason and completes on
resume, with every episode counted once.
"""

from __future__ import annotations

import pytest
from campaign_fixtures import small_scenarios
from sqlalchemy import text

from selflearn.graph import CampaignOptions
from selflearn.settings import ROLES
from tests.factories import make_components, on_server
from tests.llm_roles import role_handlers
from tests.llm_server import FAULTS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def online(settings, llm_server):
    llm_server.handlers = role_handlers()
    return on_server(
        settings, llm_server.base_url, timeout_s=1.0, max_retries=3,
        prompt_price_per_mtok=1.0, completion_price_per_mtok=2.0,
    )  # fmt: skip


def _options(tmp_path, *, seed: int = 3) -> CampaignOptions:
    return CampaignOptions(
        scenarios=(str(small_scenarios(tmp_path)),), budget=40, seed=seed, holdout_seeds=1
    )


def _counts(database, campaign_id: str) -> dict[str, int]:
    with database.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*) AS episodes, count(DISTINCT id) AS distinct_ids, "
                "coalesce(sum(turns), 0) AS turns FROM episodes WHERE campaign_id = :c"
            ),
            {"c": campaign_id},
        ).one()
        runs = conn.execute(
            text(
                "SELECT count(*) FROM pipeline_runs WHERE episode_id IN "
                "(SELECT id FROM episodes WHERE campaign_id = :c)"
            ),
            {"c": campaign_id},
        ).scalar_one()
    return {
        "episodes": row.episodes, "distinct": row.distinct_ids, "turns": row.turns, "runs": runs
    }


def test_a_campaign_with_every_role_on_the_server_completes(
    online, database, tmp_path, llm_server
):
    built = make_components(online, database)
    with built.student(telemetry_flush_every=16) as student:
        outcome = built.campaign_runner(student=student).start(_options(tmp_path))
    assert outcome.status == "completed"
    report = outcome.state["report"]
    assert not report["offline"]
    assert set(report["models"]) == set(ROLES)
    assert all(label.startswith("openai-compatible") for label in report["models"].values())
    called = llm_server.models_called()
    for role in ("manager", "responder", "judge", "teacher", "emulator"):
        assert called[f"{role}-model"] > 0, role
    usage = outcome.usage
    assert usage["responder"]["cost_usd"] > 0 and usage["judge"]["calls"] > 0
    assert usage["emulator"]["prompt_tokens"] > 0
    assert all(e["judge"]["n"] > 0 for e in outcome.state["experiments"])
    counts = _counts(database, outcome.campaign_id)
    assert counts["episodes"] == counts["distinct"] and counts["runs"] == counts["turns"]


def test_a_campaign_with_30_percent_faulty_calls_completes_with_episodes_counted_once(
    settings, database, tmp_path, llm_server
):
    llm_server.handlers = role_handlers()
    llm_server.slow_s = 0.6  # a "timeout" answers after the client's 0.4 s
    llm_server.fail_randomly(0.3, kinds=FAULTS, seed=11)
    online = on_server(settings, llm_server.base_url, timeout_s=0.4, max_retries=5)
    built = make_components(online, database)
    with built.student(telemetry_flush_every=16) as student:
        runner = built.campaign_runner(student=student)
        outcome = runner.start(_options(tmp_path, seed=4))
        pauses = 0
        while outcome.status == "paused":
            pauses += 1
            assert outcome.paused and outcome.paused["code"].startswith("provider")
            assert pauses < 20
            outcome = runner.resume(outcome.campaign_id)
    assert outcome.status == "completed"
    assert sum(llm_server.faults_served.values()) > 0
    counts = _counts(database, outcome.campaign_id)
    assert counts["episodes"] == counts["distinct"] and counts["runs"] == counts["turns"]
    done = outcome.state["episodes_done"]
    assert counts["episodes"] == len(set(done))
    with database.engine.connect() as conn:
        failures = conn.execute(
            text(
                "SELECT count(*) FROM telemetry_events WHERE error_type IS NOT NULL "
                "OR retry_count > 0"
            )
        ).scalar_one()
    assert failures > 0  # retries and typed errors are on record


def _responder_only(settings, llm_server, **fields):
    llm_server.handlers = role_handlers()
    return on_server(settings, llm_server.base_url, roles=("responder",), **fields)


def test_a_campaign_whose_student_cannot_answer_pauses_then_resumes(
    settings, database, tmp_path, llm_server
):
    online = _responder_only(settings, llm_server, max_retries=1)
    # The responder is down until healed. Episodes play in parallel, so "the next two
    # requests" could be the first tries of two calls, each then retried with success.
    llm_server.fail("unavailable", times=1_000, model="responder-model")
    built = make_components(online, database)
    options = CampaignOptions(
        scenarios=(str(small_scenarios(tmp_path)),), budget=12, seed=2, holdout_seeds=1
    )
    with built.student(telemetry_flush_every=16) as student:
        runner = built.campaign_runner(student=student)
        paused = runner.start(options)
        assert paused.status == "paused"
        assert paused.paused["code"] == "provider_unavailable"
        assert paused.paused["retries"] == 1 and paused.paused["hint"]
        with database.engine.connect() as conn:
            status = conn.execute(
                text("SELECT status FROM campaigns WHERE id = :c"), {"c": paused.campaign_id}
            ).scalar_one()
            why = conn.execute(
                text("SELECT summary FROM learning_journal WHERE kind = 'campaign_paused' "
                     "AND campaign_id = :c"), {"c": paused.campaign_id},
            ).scalar_one()  # fmt: skip
        assert status == "paused" and "responder provider failed" in why
        llm_server.heal()
        done = runner.resume(paused.campaign_id)
    assert done.status == "completed"
    counts = _counts(database, done.campaign_id)
    assert counts["episodes"] == counts["distinct"] == len(set(done.state["episodes_done"]))
    assert counts["runs"] == counts["turns"]


def test_max_cost_stops_experimenting_cleanly_at_the_budget(
    settings, database, tmp_path, llm_server
):
    online = _responder_only(settings, llm_server, prompt_price_per_mtok=100.0)
    built = make_components(online, database)
    options = CampaignOptions(
        scenarios=(str(small_scenarios(tmp_path)),), budget=40, seed=6, holdout_seeds=1,
        max_cost_usd=0.001,
    )  # fmt: skip
    with built.student(telemetry_flush_every=16) as student:
        outcome = built.campaign_runner(student=student).start(options)
    assert outcome.status == "completed"
    report = outcome.state["report"]
    assert report["stop_reason"].startswith("cost budget reached")
    assert len(outcome.state["experiments"]) == 1  # its first look spent the budget
    assert outcome.usage["responder"]["cost_usd"] >= 0.001
    assert report["models"]["responder"].startswith("openai-compatible responder-model")
    assert report["models"]["judge"] == "offline"  # a mixed set-up, labelled per role

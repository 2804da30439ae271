"""Learning cycles on a real database: online examples, micro, macro and deep."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text

from selflearn.cycles import (
    CycleOptions,
    collect_online_examples,
    idle_for,
    record_online_turn,
    run_cycle,
)
from selflearn.errors import InvalidInputError
from selflearn.store import session_scope
from selflearn.store.models import (
    Episode,
    Experiment,
    GoldenExample,
    JournalEntry,
    Memory,
    ParameterVersion,
    PipelineRun,
    ProbeResult,
    TelemetryEvent,
)
from selflearn.tuner import OWNER, active_version, ensure_active_version, update_params
from tests.factories import make_components, make_student

REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
T0 = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
TABLES = (
    "learning_journal, golden_examples, probe_results, episodes, telemetry_events, "
    "pipeline_runs, memories, parameter_changes, proposals, experiment_results, experiments, "
    "experiment_parameters"
)


@pytest.fixture(scope="module")
def service(database, settings):
    with make_student(settings, database) as svc:
        yield svc


@pytest.fixture
def engine(database):
    """This module's engine with every table a cycle touches emptied."""
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    return database.engine


@pytest.fixture
def two_scenarios(tmp_path) -> Path:
    """A golden set of two bundled train scenarios and one holdout (which must be ignored)."""
    for name in ("noisy-chitchat", "terse-engineer", "office-team"):
        shutil.copy(REPO_SCENARIOS / f"{name}.yaml", tmp_path / f"{name}.yaml")
    return tmp_path


def _journal(engine, kind: str) -> list[JournalEntry]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(JournalEntry)
                .where(JournalEntry.kind == "cycle")
                .where(JournalEntry.evidence["cycle_type"].astext == kind)
                .order_by(JournalEntry.id)
            )
        )


def _cycle_runs(engine, kind: str) -> list[tuple[PipelineRun, TelemetryEvent]]:
    with session_scope(engine) as session:
        return list(
            session.execute(
                select(PipelineRun, TelemetryEvent)
                .join(TelemetryEvent, TelemetryEvent.pipeline_id == PipelineRun.id)
                .where(PipelineRun.query == f"cycle:{kind}")
                .order_by(PipelineRun.created_at)
            ).all()
        )


def _online_turn(engine, version_id, at: datetime, *, error: bool, latency: float = 40.0):
    run_id = uuid.uuid4()
    with session_scope(engine) as session:
        session.add(
            PipelineRun(
                id=run_id,
                user_id="u-online",
                parameter_version_id=version_id,
                cycle_type="online",
                query="tell me something",
                answer=None if error else "something",
                status="error" if error else "ok",
                error_type="provider" if error else None,
                created_at=at,
            )
        )
        session.flush()
        session.add(
            TelemetryEvent(
                pipeline_id=run_id,
                cycle_type="online",
                stage="e2e",
                latency_ms=latency,
                hit_rate=0.0 if error else 1.0,
                prompt_tokens=10,
                completion_tokens=5,
                error_type="provider" if error else None,
                user_id="u-online",
                created_at=at,
            )
        )


# -- online ----------------------------------------------------------------------------


def test_online_questions_become_one_golden_example_per_question(engine, service):
    user = f"u-{uuid.uuid4().hex[:8]}"
    service.chat_turn(user, "I adopted a whippet named Toby last spring.")
    first = service.chat_turn(user, "What is the name of my dog?")
    service.chat_turn(user, "what is the name of my dog")
    with session_scope(engine) as session:
        sweep = collect_online_examples(session=session)
        again = collect_online_examples(session=session)
        rows = list(session.scalars(select(GoldenExample)))
    assert (sweep.turns, sweep.new, sweep.repeated) == (2, 1, 1)
    assert again.turns == 0  # nothing is counted twice
    assert len(rows) == 1  # the statement is not a question; the two askings are one example
    example = rows[0]
    assert example.source == "online" and example.user_id == user
    assert example.question == "What is the name of my dog?"
    assert "Toby" in (example.expected_answer or "")
    assert (
        example.data["asked"] == 2
        and str(first.pipeline_run_id) in example.data["pipeline_run_ids"]
    )
    assert example.data["used_memory_ids_known"] is False
    with session_scope(engine) as session:
        record_online_turn(
            first, user_id=user, question="What is the name of my dog?", session=session, now=T0
        )
        example = session.scalars(select(GoldenExample)).one()
        assert example.data["asked"] == 2  # the same turn, now with the memories it used
        assert example.expected_evidence == [str(i) for i in first.used_memory_ids]
        assert first.used_memory_ids and example.data["used_memory_ids_known"] is True
        assert idle_for(datetime.now(UTC) + timedelta(minutes=7), session=session) >= timedelta(
            minutes=6
        )


# -- micro -----------------------------------------------------------------------------


def test_micro_cycle_summarises_recent_online_turns_in_micro_telemetry(engine, service):
    user = f"u-{uuid.uuid4().hex[:8]}"
    service.chat_turn(user, "My sister Ana lives in Cork and teaches maths.")
    service.chat_turn(user, "Where does my sister live?")
    report = run_cycle(
        "micro", database=engine, student=service, now=datetime.now(UTC) + timedelta(minutes=6)
    )
    assert report.error is None and report.version == 1
    assert report.stats["turns"] == 2 and report.stats["error_rate"] == 0.0
    assert report.stats["latency_ms"]["e2e"]["p95"] > 0
    assert set(report.stats["latency_ms"]) == {"analyzer", "assembler", "responder", "e2e"}
    assert report.metrics is not None and report.metrics.error_rate == 0.0
    assert report.online.new == 1  # the question became a golden example on the way
    [(run, event)] = _cycle_runs(engine, "micro")
    assert run.cycle_type == "micro" and event.cycle_type == "micro" and event.stage == "e2e"
    assert run.status == "ok" and event.memories_found == 2 and event.error_type is None
    assert str(run.id) == report.pipeline_run_id
    [entry] = _journal(engine, "micro")
    assert entry.id == report.journal_entry_id and "2 online turn(s)" in entry.summary
    assert entry.evidence["metrics"]["error_rate"] == 0.0


def test_micro_rolls_back_after_three_degraded_cycles(engine, service):
    with session_scope(engine) as session:
        ensure_active_version(session=session, now=T0 - timedelta(days=1))
        update_params(
            {
                "reason": "owner tries a larger context",
                "changes": [{"param": "context.max_tokens", "from": 1500, "to": 2000}],
                "initiated_by": OWNER,
            },
            session=session,
            now=T0,
        )
        v2 = active_version(session=session)
        assert v2 is not None and v2.version == 2
    reports = []
    for cycle in range(3):
        at = T0 + timedelta(minutes=10 * (cycle + 1))
        for i in range(10):
            _online_turn(engine, v2.id, at - timedelta(seconds=i), error=i < 4)
        reports.append(
            run_cycle("micro", database=engine, student=service, now=at + timedelta(minutes=5))
        )
    assert [r.stats["turns"] for r in reports] == [10, 10, 10]  # each window sees its own turns
    assert [r.metrics.error_rate for r in reports] == [0.4, 0.4, 0.4]
    assert not reports[0].rolled_back and not reports[1].rolled_back
    assert reports[2].rolled_back and reports[2].active_version == 1
    rollback = next(a for a in reports[2].actions if a.kind == "rollback")
    assert rollback.rule == "error_rate" and "v2 rolled back to v1" in rollback.detail
    with session_scope(engine) as session:
        assert session.get(ParameterVersion, v2.id).status == "rolled_back"
        assert active_version(session=session).version == 1
    assert len(_cycle_runs(engine, "micro")) == 3
    assert [e.evidence["metrics"]["cycle"] for e in _journal(engine, "micro")] == [1, 2, 3]


def test_micro_on_the_first_version_reports_it_cannot_roll_back(engine, service):
    with session_scope(engine) as session:
        v1 = ensure_active_version(session=session, now=T0 - timedelta(days=1))
    last = None
    for cycle in range(3):
        at = T0 + timedelta(minutes=10 * (cycle + 1))
        _online_turn(engine, v1.id, at, error=True)
        last = run_cycle("micro", database=engine, student=service, now=at + timedelta(minutes=5))
    assert last is not None and not last.rolled_back and last.active_version == 1
    assert [a.kind for a in last.actions] == ["refused"]
    assert "no parent" in last.actions[0].detail


# -- macro -----------------------------------------------------------------------------


def test_macro_plays_train_scenarios_on_the_active_version_and_applies_rules(
    engine, service, two_scenarios
):
    options = CycleOptions(prompt_ab=True)
    reports = [
        run_cycle(
            "macro",
            database=engine,
            student=service,
            now=T0 + timedelta(hours=2 * i),
            scenarios_path=two_scenarios,
            options=options,
        )
        for i in range(3)
    ]
    first = reports[0]
    assert first.stats["scenarios"] == ["noisy-chitchat", "terse-engineer"]  # holdout left out
    assert first.metrics is not None and first.metrics.precision is not None
    assert first.metrics.recall is not None and first.pipeline_run_id is None
    with session_scope(engine) as session:
        runs = session.execute(
            select(PipelineRun.cycle_type, func.count()).group_by(PipelineRun.cycle_type)
        ).all()
        episodes = list(session.scalars(select(Episode)))
        events = session.scalar(
            select(func.count())
            .select_from(TelemetryEvent)
            .where(TelemetryEvent.cycle_type != "macro")
        )
        left = session.scalar(select(func.count()).select_from(Memory))
    assert dict(runs) == {"macro": dict(runs)["macro"]} and events == 0
    assert all(e.cycle_type == "macro" and e.campaign_id.startswith("macro-") for e in episodes)
    assert left == 0  # every episode's memory space is deleted afterwards
    # Hallucinations above 0.1 in the first cycle: the prompt A/B ran (baseline and three
    # variants) and two pairs per arm decided nothing, so its candidates were retired.
    kinds = [a.kind for a in first.actions]
    assert first.metrics.hallucination_rate > 0.1
    assert "experiment" in kinds and first.episodes == 2 + 4 * 2
    with session_scope(engine) as session:
        experiment = session.scalars(select(Experiment)).one()
        arms = session.scalars(
            select(ParameterVersion).where(ParameterVersion.experiment_id == experiment.id)
        ).all()
    assert experiment.status == "completed" and experiment.verdict == "inconclusive"
    assert {arm.status for arm in arms} == {"retired"}
    # Precision stays below 0.7 for three macro cycles: top_k goes down by one.
    update = next(a for a in reports[2].actions if a.kind == "update")
    assert update.rule == "low_precision" and "retrieval.top_k 5 -> 4" in update.detail
    assert reports[2].active_version == update.version
    assert [a.kind for a in reports[1].actions] == ["skipped"]  # the A/B rests for 24 h
    assert len(_journal(engine, "macro")) == 3


def test_macro_merges_near_duplicates_of_recently_changed_users(engine, service, two_scenarios):
    user = f"u-{uuid.uuid4().hex[:8]}"
    service.add_memories(
        user,
        ["I run 5 km every morning before work.", "Every morning before work I run 5 km."],
        merge_duplicates=False,
    )
    report = run_cycle(
        "macro",
        database=engine,
        student=service,
        now=datetime.now(UTC),
        scenarios_path=two_scenarios,
        options=CycleOptions(prompt_ab=False),
    )
    assert report.memory is not None and report.memory.merged == 1
    [kept] = service.list_memories(user)
    assert kept.provenance["mentions"] == 2 and len(kept.provenance["merged_from"]) == 1


def test_a_failing_cycle_is_recorded_and_raised(engine, service, tmp_path):
    shutil.copy(REPO_SCENARIOS / "office-team.yaml", tmp_path / "office-team.yaml")  # holdout
    with pytest.raises(InvalidInputError, match="no train scenario"):
        run_cycle("macro", database=engine, student=service, now=T0, scenarios_path=tmp_path)
    [entry] = _journal(engine, "macro")
    assert entry.evidence["failed"] is True and "failed" in entry.summary
    [(run, event)] = _cycle_runs(engine, "macro")
    assert run.status == "error" and event.error_type == "invalid_input"
    with pytest.raises(InvalidInputError, match="unknown cycle"):
        run_cycle("weekly", database=engine, student=service, now=T0)


# -- deep ------------------------------------------------------------------------------


def _set_counters(engine, memory_id, *, retrieved: int, used: int, age_days: int, now) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE memories SET times_retrieved = :r, times_used = :u, created_at = :c "
                "WHERE id = :id"
            ),
            {"r": retrieved, "u": used, "c": now - timedelta(days=age_days), "id": memory_id},
        )


def test_deep_reembeds_merges_flags_then_prunes(engine, service):
    user = f"u-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    good, bad, dup_a, dup_b, young = service.add_memories(
        user,
        [
            "My passport number ends in 4471.",
            "I once mentioned the weather was grey.",
            "I am allergic to sesame.",
            "I am allergic to sesame!",
            "I started learning the cello.",
        ],
        merge_duplicates=False,
    )
    _set_counters(engine, good.id, retrieved=10, used=8, age_days=40, now=now)
    _set_counters(engine, bad.id, retrieved=10, used=0, age_days=40, now=now)
    _set_counters(engine, young.id, retrieved=10, used=0, age_days=3, now=now)
    with engine.begin() as conn:  # a stale vector, as if another embedder had made it
        conn.execute(
            text("UPDATE memories SET embedding = :v WHERE id = :id"),
            {"v": "[" + ",".join(["0.05"] * 384) + "]", "id": good.id},
        )
    first = run_cycle("deep", database=engine, student=service, now=now)
    memory = first.memory
    assert memory is not None and memory.helpfulness == "proxy"
    assert (memory.merged, memory.flagged, memory.pruned) == (1, 1, 0)
    assert memory.reembedded == 5
    with session_scope(engine) as session:
        rows = {m.id: m for m in session.scalars(select(Memory).where(Memory.user_id == user))}
    assert bad.id in rows and rows[bad.id].flagged and not rows[young.id].flagged
    assert len({dup_a.id, dup_b.id} & set(rows)) == 1  # the two sesame memories are one
    assert rows[good.id].quality_score == pytest.approx(0.8)  # used/retrieved, helpful ≈ used
    expected = service.embedder.embed([rows[good.id].text])[0]
    assert np.allclose(np.asarray(rows[good.id].embedding), expected, atol=1e-5)
    # A week later the flagged memory is still useless: it is pruned; nothing else is.
    second = run_cycle("deep", database=engine, student=service, now=now + timedelta(days=8))
    assert second.memory is not None and second.memory.pruned == 1
    assert second.memory.reembedded == 0  # same embedder as last time
    left = {m.id for m in service.list_memories(user)}
    assert bad.id not in left and {good.id, young.id} <= left
    runs = _cycle_runs(engine, "deep")
    assert [run.cycle_type for run, _ in runs] == ["deep", "deep"]
    assert runs[1][1].memories_used == 1 and runs[0][1].memories_found == 4
    assert len(_journal(engine, "deep")) == 2


def test_deep_refreshes_tags_by_rarity_in_the_users_memories(engine, service):
    user = f"u-{uuid.uuid4().hex[:8]}"
    long_one = (
        "Yesterday the neighbourhood association organised a wonderful celebration with "
        "a cellist, jugglers, lanterns and homemade lemonade near the old mill"
    )
    service.add_memories(
        user,
        [
            {"text": long_one, "tags": ["events"]},
            *[f"The neighbourhood association organised meeting {i}." for i in range(4)],
            "Another wonderful celebration with the association is planned.",
        ],
        merge_duplicates=False,
    )
    before = next(m for m in service.list_memories(user) if m.text == long_one).tags
    assert "neighbourhood" in before and "lantern" not in before  # longest words first
    report = run_cycle("deep", database=engine, student=service, now=datetime.now(UTC))
    assert report.memory is not None and report.memory.retagged >= 1
    after = next(m for m in service.list_memories(user) if m.text == long_one).tags
    assert after[0] == "events"  # the caller's own tag stays, first
    # Words said in five or six of the user's memories give way to this memory's own.
    assert {"lantern", "lemonad", "mill"} <= set(after)
    assert not {"neighbourhood", "associat"} & set(after)
    assert len(after) == 1 + 8


def test_macro_judges_a_sample_of_probes_and_reports_agreement(
    engine, service, two_scenarios, settings, database
):
    roles = make_components(settings, database).cycle_roles()
    report = run_cycle(
        "macro",
        database=engine,
        student=service,
        now=T0,
        scenarios_path=two_scenarios,
        options=CycleOptions(prompt_ab=False),
        roles=roles,
    )
    finding = next(f for f in report.findings if f.startswith("judge"))
    assert "2 probes judged" in finding  # one per episode: 2 scenarios x 1 seed
    assert "metrics relabelled" in finding  # the offline judge says what it is
    with session_scope(engine) as session:
        judged = session.scalars(
            select(ProbeResult).where(ProbeResult.judge_label.is_not(None))
        ).all()
    assert len(judged) == 2 and all(0 <= p.judge_score <= 1 for p in judged)
    labels = {"correct", "incorrect", "correct_hallucinated", "incorrect_hallucinated"}
    assert {p.judge_label for p in judged} <= labels


def test_the_hallucination_rule_ab_includes_prompts_the_teacher_drafted(
    engine, service, two_scenarios, settings, database
):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE prompt_versions"))
    roles = make_components(settings, database).cycle_roles()
    report = run_cycle(
        "macro",
        database=engine,
        student=service,
        now=T0,
        scenarios_path=two_scenarios,
        options=CycleOptions(prompt_ab=True),
        roles=roles,
    )
    drafted = next(a for a in report.actions if "registered prompt version" in a.detail)
    assert "gen-1-" in drafted.detail and "gen-2-" in drafted.detail
    with session_scope(engine) as session:
        experiment = session.scalars(select(Experiment)).one()
        arms = [v["name"] for v in experiment.design["variants"]]
    assert len(arms) == 1 + 3 + 2  # baseline, the other built-in prompts, two drafts
    assert sum(a.startswith("gen-") for a in arms) == 2

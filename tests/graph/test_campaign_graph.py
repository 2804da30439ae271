"""The campaign graph end to end on a real PostgreSQL: determinism, approvals, bad input."""

from __future__ import annotations

import pytest
from campaign_fixtures import runner, small_scenarios
from sqlalchemy import func, select

from selflearn.agents.manager import CampaignReport, render_report
from selflearn.errors import ConflictError, InvalidInputError, NotFoundError
from selflearn.graph import CampaignOptions, build_campaign_graph, open_checkpointer
from selflearn.maas import OFFLINE_IGNORED_FACTORS
from selflearn.store import session_scope
from selflearn.store.models import Campaign, Episode, ParameterVersion, Proposal


def _signature(outcome) -> list[tuple]:
    return [
        (
            e["id"].split("/", 1)[1],
            e["verdict"],
            sorted((d["metric"], round(d["effect"], 9)) for d in e["deltas"]),
        )
        for e in outcome.state["experiments"]
    ]


def test_same_seed_same_campaign(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        scenarios=(str(folder),), budget=12, seed=7, holdout_seeds=2, holdout_scenarios=0
    )
    events: list = []
    first = runner(settings, database, events).start(options, campaign_id="det-a")
    second = runner(settings, database).start(options, campaign_id="det-b")
    assert first.status == second.status == "completed"
    assert first.state["experiments"], "the campaign ran at least one experiment"
    assert _signature(first) == _signature(second)
    timing = {"latency_ms_p95"}  # wall-clock time is the one thing a replay cannot repeat
    for key in ("baseline_metrics", "final_metrics"):
        a = {k: v for k, v in first.state[key].items() if k not in timing}
        b = {k: v for k, v in second.state[key].items() if k not in timing}
        assert a == b
    strip = [{**d, "experiment_id": (d["experiment_id"] or "").split("/", 1)[-1]}
             for d in first.state["decisions"]]  # fmt: skip
    assert strip == [{**d, "experiment_id": (d["experiment_id"] or "").split("/", 1)[-1]}
                     for d in second.state["decisions"]]  # fmt: skip
    # every experiment episode counted once, and the budget held
    done = first.state["episodes_done"]
    assert len(done) == len(set(done))
    assert {e for e, _ in events} >= {"design", "dispatch", "episode", "look"}
    with session_scope(database.engine) as session:
        report = session.get(Campaign, "det-a")
        assert report is not None and report.status == "completed" and report.report
        actives = session.scalar(select(func.count()).where(ParameterVersion.status == "active"))
        assert actives == 1


def test_manual_zone_change_waits_for_the_owner_and_resumes(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        goal_text="cut hallucinations below 5 % without losing recall; "
        "ask me before changing recency weight",
        scenarios=(str(folder),),
        budget=4,
        seed=3,
        holdout_seeds=1,
        holdout_scenarios=0,
    )
    run = runner(settings, database)
    outcome = run.start(options, campaign_id="approval-a")
    assert outcome.status == "completed"
    # Replay the end of an experiment whose winner needs approval: the Tuner files a
    # proposal and the graph stops in `await_approval` until the owner decides.
    with session_scope(database.engine) as session:
        active = session.scalars(
            select(ParameterVersion).where(ParameterVersion.status == "active")
        ).one()
        before = active.params["retrieval.recency_weight"]
    change = {
        "action": "update_params",
        "reason": "recency helps with updated facts",
        "changes": [{"param": "retrieval.recency_weight", "from": before, "to": before + 0.2}],
        "rollback_conditions": {"precision_drop": 0.1, "cycles": 3},
        "experiment_id": "e99_manual",
    }
    with session_scope(database.engine) as session:
        session.add(Campaign(id="approval-b", status="running", seed=3, config=options.to_config()))
    state = {**outcome.state, "campaign_id": "approval-b", "pending_change": change, "plan": None}
    config = {"configurable": {"thread_id": "approval-b"}}
    context = run.context(options, run_scenarios(options))
    with open_checkpointer(database) as saver:
        graph = build_campaign_graph().compile(checkpointer=saver)
        graph.update_state(config, state, as_node="evaluate_look")
        graph.invoke(None, config, context=context)
        snapshot = graph.get_state(config)
        assert snapshot.interrupts, "the graph waits for the owner"
        proposal_id = snapshot.interrupts[0].value["proposal_id"]
    with session_scope(database.engine) as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.status == "pending"
        assert proposal.campaign_id == "approval-b"
    resumed = run.resume("approval-b", decision={"approve": True, "note": "fine"})
    assert resumed.status == "completed"
    with session_scope(database.engine) as session:
        assert session.get(Proposal, proposal_id).status == "approved"
        active = session.scalars(
            select(ParameterVersion).where(ParameterVersion.status == "active")
        ).one()
        assert active.params["retrieval.recency_weight"] == pytest.approx(before + 0.2)
    assert any(d.get("proposal_id") == proposal_id for d in resumed.state["decisions"])


def run_scenarios(options):
    from selflearn.simulator import load_scenarios

    return load_scenarios(list(options.scenarios))


def test_bad_inputs_change_nothing(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    run = runner(settings, database)
    with session_scope(database.engine) as session:
        campaigns = session.scalar(select(func.count()).select_from(Campaign))
    with pytest.raises(InvalidInputError, match="did not understand"):
        run.start(CampaignOptions(goal_text="make it smarter somehow", scenarios=(str(folder),)))
    with pytest.raises(InvalidInputError):
        run.start(CampaignOptions(scenarios=(str(tmp_path / "missing"),)))
    with session_scope(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == campaigns
    with pytest.raises(NotFoundError):
        run.resume("no-such-campaign")
    done = run.start(
        CampaignOptions(scenarios=(str(folder),), budget=2, holdout_seeds=1, holdout_scenarios=0),
        campaign_id="done-1",
    )
    assert done.status == "completed"
    with pytest.raises(ConflictError, match="already completed"):
        run.resume("done-1")
    with session_scope(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Episode)) > 0


def test_a_winner_is_applied_then_checked_on_the_holdout_with_intervals(
    settings, database, tmp_path
):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        goal_text="cut hallucinations below 5 % without losing recall; "
        "only change the prompt, temperature, abstain policy and whose facts",
        scenarios=(str(folder),),
        budget=96,
        seed=1,
        seeds_per_look=2,
        holdout_seeds=2,
        holdout_scenarios=0,
    )
    outcome = runner(settings, database, ignored=OFFLINE_IGNORED_FACTORS).start(
        options, campaign_id="win-1"
    )
    assert outcome.status == "completed"
    state = outcome.state
    # The offline responder reads neither the prompt's text nor the temperature: no
    # episode is spent on them.
    ignored = {"responder.system_prompt_version", "responder.temperature"}
    assert set(state["ignored_factors"]) == ignored
    assert all(
        not ignored & set(arm) for e in state["experiments"] for arm in e["changes"].values()
    )
    [won] = [e for e in state["experiments"] if e["verdict"] == "winner"]
    assert won["variant"] in won["changes"] and won["arms"]
    applied = [d for d in state["decisions"] if d["status"] == "applied"]
    assert applied and applied[0]["experiment_id"] == won["id"]
    monitor = state["monitor"]
    assert monitor["changed"] and monitor["before"] != monitor["after"]
    roles = {m["metric"]: m["role"] for m in monitor["metrics"]}
    assert next(iter(roles)) == "hallucination_rate" and roles["hallucination_rate"] == "primary"
    assert roles["recall"] == "guardrail" and roles["answer_correct_rate"] == "side_effect"
    for metric in monitor["metrics"]:
        # One held-out scenario: the scenario is the unit, so nothing is decided on it.
        assert metric["pairs"] == 1 and metric["verdict"] == "inconclusive"
        assert metric["ci_low"] <= metric["effect"] <= metric["ci_high"]
        assert metric["after"] - metric["before"] == pytest.approx(metric["effect"])
    assert set(monitor["by_scenario"]) == {"unanswerable-gaps"}
    text = render_report(CampaignReport.model_validate(state["report"]))
    assert (
        "1 scenarios paired (1 scenarios of the scenario files' held-out split, 2 seed(s) each), "
        "paired sign-flip permutation test over scenario means" in text
    )
    assert "  by scenario, before \u2192 after:\n    unanswerable-gaps:" in text
    assert "  - responder.temperature: the Student does not read it" in text
    assert "  - responder.system_prompt_version: not tested offline" in text
    assert f"{won['id'].rsplit('/', 1)[-1]}: responder." in text
    # Within its own report a campaign's experiments go by their short ids.
    assert "win-1/" not in text
    lost = [e["id"].rsplit("/", 1)[-1] for e in state["experiments"] if e["verdict"] != "winner"]
    rejected = text.split("Hypotheses rejected:\n", 1)[1]
    assert lost and all(f"  - {short}: " in rejected for short in lost)


def test_a_goal_that_allows_only_ignored_factors_is_refused(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        goal_text="cut hallucinations below 5 %; only change temperature", scenarios=(str(folder),)
    )
    with pytest.raises(InvalidInputError, match="only factors this Student ignores"):
        runner(settings, database, ignored=OFFLINE_IGNORED_FACTORS).start(options)


def test_the_held_out_set_is_generated_fresh_and_named_in_the_report(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        scenarios=(str(folder),), budget=8, seed=3, holdout_seeds=1, holdout_scenarios=12
    )
    outcome = runner(settings, database).start(options, campaign_id="fresh-1")
    state = outcome.state
    assert state["holdout_set_seed"] == options.holdout_set
    assert len(state["holdout_scenarios"]) == 12
    assert all(s.startswith(f"gen-s{options.holdout_set}-") for s in state["holdout_scenarios"])
    # The files' own held-out scenario is neither trained nor monitored on.
    assert "unanswerable-gaps" not in state["train_scenarios"] + state["holdout_scenarios"]
    report = CampaignReport.model_validate(state["report"])
    text = render_report(report)
    monitor = state["monitor"]
    if monitor["changed"]:
        assert f"generated held-out set {options.holdout_set}, never trained on" in text
        assert {m["pairs"] for m in monitor["metrics"]} == {12}
    assert outcome.status == "completed"

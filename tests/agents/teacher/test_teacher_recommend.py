"""Recommendations from verdicts, accepted by the real Tuner, and the learning journal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from teacher_factories import (
    T0,
    add_pairs,
    make_goal,
    min_relevance_plan,
    prepare,
)

from selflearn.agents.teacher import (
    Hypothesis,
    evaluate_experiment_sql,
    journal_decision,
    journal_hypothesis,
    journal_recommendation,
    plan_experiment,
    recommend,
)
from selflearn.store import session_scope
from selflearn.store.models import JournalEntry
from selflearn.tuner import (
    AutonomyPolicy,
    ensure_active_version,
    parse_update_params,
    update_params,
)


@pytest.fixture(scope="module", autouse=True)
def _active_version(database):
    with session_scope(database.engine) as session:
        ensure_active_version(session=session, now=T0)


def _run(database, plan, hallucination, *, pairs=40, seed=0):
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_pairs(session, plan, pairs=pairs, hallucination=hallucination, seed=seed)
        return evaluate_experiment_sql(
            plan.experiment_id, session=session, plan=plan, look=1, now=T0
        )


def test_a_winner_becomes_an_update_params_payload_the_tuner_applies(database):
    plan = min_relevance_plan(3)
    assert plan.experiment_id == "e03_min_relevance_0.0_vs_0.25"
    evaluation = _run(database, plan, {"baseline": 0.5, "variant": 0.1})
    advice = recommend(plan, evaluation)
    assert advice.action == "update_params" and advice.verdict == "winner"
    assert advice.variant == "variant" and advice.extra_needed is None
    payload = advice.payload
    assert payload is not None
    assert payload["action"] == "update_params"
    assert payload["changes"] == [{"param": "retrieval.min_relevance", "from": 0.0, "to": 0.25}]
    assert payload["rollback_conditions"] == {"precision_drop": 0.1, "cycles": 3}
    assert payload["experiment_id"] == plan.experiment_id
    assert re.match(
        r"min_relevance=0\.25 gives -\d+\.\d pts hallucination_rate \[-\d+\.\d, -\d+\.\d\] "
        r"at \+0\.\d pts abstention_rate",
        payload["reason"],
    ), payload["reason"]
    parsed = parse_update_params(payload)
    assert parsed.changes[0].from_ == 0.0
    with session_scope(database.engine) as session:
        result = update_params(payload, session=session, now=T0, autonomy=AutonomyPolicy())
        assert result.applied
        assert result.version is not None
        assert result.version.params["retrieval.min_relevance"] == 0.25


def test_a_loser_changes_nothing_and_says_why(database):
    plan = min_relevance_plan(4, value=0.3)
    advice = recommend(plan, _run(database, plan, {"baseline": 0.1, "variant": 0.5}))
    assert advice.action == "no_change" and advice.verdict == "loser"
    assert advice.payload is None
    assert "worse on hallucination_rate" in advice.reason


def test_inconclusive_continues_within_the_budget_and_stops_beyond_it(database):
    plan = min_relevance_plan(5, value=0.1)
    evaluation = _run(database, plan, {"baseline": 0.35, "variant": 0.2}, pairs=20, seed=1)
    advice = recommend(plan, evaluation)
    assert advice.verdict == "inconclusive" and advice.payload is None
    extra = advice.extra_needed
    assert isinstance(extra, int) and 0 < extra <= plan.max_pairs - 20
    assert advice.action == "continue"
    assert f"continue with about {extra} more" in advice.reason
    tight = plan.model_copy(update={"max_pairs": 20 + extra - 1})
    stopped = recommend(tight, evaluation)
    assert stopped.action == "no_change" and stopped.extra_needed == extra
    assert "exceed the budget" in stopped.reason


def test_among_several_winners_the_largest_gain_is_recommended(database):
    goal = make_goal()
    hypothesis = Hypothesis(
        source="rule",
        variants={
            "v2-grounded": {"responder.system_prompt_version": "v2-grounded"},
            "v3-concise": {"responder.system_prompt_version": "v3-concise"},
        },
        rationale="hallucination rate above 0.1: A/B the prompt versions",
        rule="high_hallucination",
    )
    active = {"responder.system_prompt_version": "v1"}
    plan = plan_experiment(hypothesis, goal, active=active, experiment_index=6)
    assert plan.arms == ["baseline", "v2-grounded", "v3-concise"]
    assert plan.planned_pairs > 171  # two variants: the plan is sized for a stricter alpha
    rates = {"baseline": 0.6, "v2-grounded": 0.3, "v3-concise": 0.05}
    advice = recommend(plan, _run(database, plan, rates, pairs=50))
    assert advice.variant == "v3-concise"
    assert advice.payload is not None
    assert advice.payload["changes"] == [
        {"param": "responder.system_prompt_version", "from": "v1", "to": "v3-concise"}
    ]


def test_the_journal_keeps_hypothesis_notes_decision_and_recommendation(database):
    plan = min_relevance_plan(7, value=0.2).model_copy(
        update={"notes": ["dropped proposal retrieval.top_k=99: out of range"]}
    )
    evaluation = _run(database, plan, {"baseline": 0.5, "variant": 0.1})
    advice = recommend(plan, evaluation)
    with session_scope(database.engine) as session:
        journal_hypothesis(plan, session=session, now=T0, campaign_id="c1")
        journal_decision(evaluation, session=session, now=T0, campaign_id="c1")
        journal_recommendation(advice, session=session, now=T0, campaign_id="c1")
    with session_scope(database.engine) as session:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.experiment_id == plan.experiment_id)
            .order_by(JournalEntry.id)
        ).all()
        kinds = [e.kind for e in entries]
        assert kinds == ["note", "hypothesis", "decision", "recommendation"]
        assert {e.campaign_id for e in entries} == {"c1"}
        assert all(e.created_at == T0 for e in entries)
        note, hypothesis, decision, recommendation = entries
        assert "out of range" in note.summary
        assert hypothesis.summary == plan.hypothesis
        assert hypothesis.evidence["prepare_experiment"] == plan.prepare
        assert hypothesis.evidence["planned_pairs"] == 171
        verdict = decision.evidence["report"]["verdicts"][0]
        assert verdict["verdict"] == "winner"
        delta = next(d for d in verdict["deltas"] if d["metric"] == "hallucination_rate")
        assert delta["ci_high"] < 0 and delta["ci_low"] < delta["effect"]
        assert "variant: winner" in decision.summary
        assert recommendation.evidence["payload"] == advice.payload
        assert recommendation.summary == advice.reason

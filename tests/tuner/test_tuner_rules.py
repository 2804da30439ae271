"""Degradation rules with automatic rollback, self-improvement rules and memory quality."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from selflearn.errors import ConflictError
from selflearn.space import default_params
from selflearn.store import session_scope
from selflearn.store.models import Memory
from selflearn.tuner import (
    HIGH_HALLUCINATION,
    LOW_PRECISION,
    LOW_RECALL,
    CycleMetrics,
    ImprovementRules,
    MemoryQualityPolicy,
    RollbackConditions,
    check_degradation,
    enforce_degradation_rules,
    get_version,
    memory_quality_actions,
    prepare_experiment,
    quality_score,
    recommend_improvements,
    rule_firings,
    update_params,
)

BASELINE = CycleMetrics(precision=0.8, recall=0.6, latency_p95_ms=900, error_rate=0.01)


def cycles(**series):
    length = len(next(iter(series.values())))
    return [
        CycleMetrics(cycle=i + 1, **{name: values[i] for name, values in series.items()})
        for i in range(length)
    ]


def test_precision_drop_fires_after_exactly_n_cycles():
    conditions = RollbackConditions(precision_drop=0.1, cycles=3)
    history = cycles(precision=[0.75, 0.65, 0.62, 0.6])
    # Cycle 1 is within the allowed drop; cycles 2, 3 and 4 are below 0.8 - 0.1.
    outcomes = [
        check_degradation(history[:n], conditions=conditions, baseline=BASELINE).rollback
        for n in range(1, 5)
    ]
    assert outcomes == [False, False, False, True]
    decision = check_degradation(history, conditions=conditions, baseline=BASELINE)
    assert decision.rule == "precision_drop"
    [fired] = decision.fired
    assert fired.values == (0.65, 0.62, 0.6) and fired.limit == pytest.approx(0.7)
    assert "precision (baseline 0.8, allowed drop 0.1)" in decision.message
    assert "[0.65, 0.62, 0.6]" in decision.message and "limit 0.7" in decision.message


def test_a_good_cycle_or_a_missing_value_breaks_the_streak():
    conditions = RollbackConditions(precision_drop=0.1, cycles=3)
    for values in ([0.6, 0.75, 0.6, 0.6], [0.6, 0.6, None, 0.6], [0.6, 0.6, 0.7, 0.6]):
        decision = check_degradation(
            cycles(precision=values), conditions=conditions, baseline=BASELINE
        )
        assert not decision.rollback, values
    assert "no degradation rule fired over 4 cycle(s)" in decision.message


def test_latency_and_error_rate_limits_and_no_baseline():
    conditions = RollbackConditions(latency_p95_ms=1500, error_rate=0.05, cycles=2)
    slow = cycles(latency_p95_ms=[1400, 1600, 1700])
    decision = check_degradation(slow, conditions=conditions)
    assert decision.rule == "latency_p95" and "latency p95 (ms)" in decision.message
    failing = cycles(error_rate=[0.06, 0.08])
    assert check_degradation(failing, conditions=conditions).rule == "error_rate"
    # Without a baseline the drop rules cannot judge, and say so.
    low = cycles(precision=[0.1, 0.1, 0.1])
    decision = check_degradation(low, conditions=RollbackConditions())
    assert not decision.rollback
    assert decision.checks[0].message == "precision_drop: no baseline precision"


def test_degradation_executor_rolls_back_with_the_recorded_conditions(engine, bootstrapped, t0):
    payload = {
        "reason": "try top_k 3",
        "changes": [{"param": "retrieval.top_k", "from": 5, "to": 3}],
        "rollback_conditions": {"precision_drop": 0.05, "cycles": 2},
    }
    with session_scope(engine) as session:
        applied = update_params(payload, session=session, now=t0).version
    history = cycles(precision=[0.74, 0.74])
    with session_scope(engine) as session:
        # 0.8 -> 0.74 is a drop of 0.06 > 0.05 for 2 cycles: the recorded conditions fire.
        outcome = enforce_degradation_rules(
            history[:1], session=session, now=t0, baseline=BASELINE, version=applied.version
        )
        assert not outcome.decision.rollback and outcome.active.id == applied.id
        outcome = enforce_degradation_rules(
            history, session=session, now=t0, baseline=BASELINE, version=applied.id
        )
    assert outcome.decision.rollback and outcome.decision.conditions.cycles == 2
    assert outcome.rolled_back.id == applied.id and outcome.active.id == bootstrapped.id
    with session_scope(engine) as session:
        assert get_version(applied.id, session=session).status == "rolled_back"
        restored = get_version(1, session=session)
        assert restored.status == "active"
    with pytest.raises(ConflictError, match="no longer active"):
        with session_scope(engine) as session:
            enforce_degradation_rules(
                history, session=session, now=t0, baseline=BASELINE, version=applied.id
            )


def test_precision_and_recall_rules_recommend_update_params(t0):
    history = cycles(precision=[0.65, 0.6, 0.69], recall=[0.4, 0.45, 0.3])
    report = recommend_improvements(history, params=default_params(), now=t0)
    by_rule = {r.rule: r for r in report.recommendations}
    assert set(by_rule) == {LOW_PRECISION, LOW_RECALL}
    precision = by_rule[LOW_PRECISION].payload()
    assert precision["changes"] == [{"param": "retrieval.top_k", "from": 5, "to": 4}]
    assert precision["initiated_by"] == "rule:low_precision"
    assert precision["rollback_conditions"]["cycles"] == 3
    assert "precision 0.65, 0.6, 0.69 below 0.7 for 3 cycles" in precision["reason"]
    recall = by_rule[LOW_RECALL].payload()
    assert recall["changes"] == [{"param": "retrieval.keyword_count", "from": 6, "to": 8}]
    # Two cycles are not enough, and one good cycle is enough to stay quiet.
    assert not recommend_improvements(history[1:], params=default_params(), now=t0).recommendations
    calm = cycles(precision=[0.6, 0.7, 0.6], recall=[0.4, 0.5, 0.4])
    assert not recommend_improvements(calm, params=default_params(), now=t0).recommendations


def test_rules_respect_range_edges_and_custom_thresholds(t0):
    params = {**default_params(), "retrieval.top_k": 1, "retrieval.keyword_count": 32}
    history = cycles(precision=[0.1] * 3, recall=[0.1] * 3)
    report = recommend_improvements(history, params=params, now=t0)
    assert report.recommendations == ()
    assert {s.rule for s in report.skipped} == {LOW_PRECISION, LOW_RECALL}
    strict = ImprovementRules(precision_floor=0.9, precision_cycles=1, top_k_step=2)
    report = recommend_improvements(
        cycles(precision=[0.85]), params=default_params(), now=t0, rules=strict
    )
    assert report.recommendations[0].payload()["changes"][0]["to"] == 3


def test_hallucination_rule_recommends_a_prompt_experiment(t0):
    report = recommend_improvements(
        cycles(hallucination_rate=[0.05, 0.15]), params=default_params(), now=t0
    )
    [recommendation] = report.recommendations
    assert recommendation.rule == HIGH_HALLUCINATION
    payload = recommendation.payload()
    assert payload["type"] == "prepare_experiment"
    assert payload["experiment_id"] == "prompt_ab_20250301T120000"
    prompts = [v["params"]["responder.system_prompt_version"] for v in payload["variants"]]
    assert prompts == ["v1", "v2-grounded", "v3-concise", "v4-current"]
    assert payload["variants"][0]["name"] == "baseline"
    calm = cycles(hallucination_rate=[0.15, 0.1])
    assert not recommend_improvements(calm, params=default_params(), now=t0).recommendations


def test_rule_cooldowns_read_from_the_history(engine, bootstrapped, t0):
    history = cycles(precision=[0.6] * 3, hallucination_rate=[0.0, 0.0, 0.2])
    report = recommend_improvements(history, params=default_params(), now=t0)
    by_rule = {r.rule: r for r in report.recommendations}
    with session_scope(engine) as session:
        update_params(by_rule[LOW_PRECISION].payload(), session=session, now=t0)
        experiment = by_rule[HIGH_HALLUCINATION]
        prepare_experiment(
            experiment.payload(), session=session, now=t0, initiated_by=experiment.initiated_by
        )
        fired = rule_firings(session=session)
    assert fired == {LOW_PRECISION: t0, HIGH_HALLUCINATION: t0}
    params = {**default_params(), "retrieval.top_k": 4}
    soon = recommend_improvements(
        history, params=params, now=t0 + timedelta(hours=5), last_fired=fired
    )
    assert soon.recommendations == ()
    assert {s.rule for s in soon.skipped} == {LOW_PRECISION, HIGH_HALLUCINATION}
    assert "cooldown: fired 5 h 00 min ago, 1 h 00 min left" in soon.skipped[0].reason
    later = recommend_improvements(
        history, params=params, now=t0 + timedelta(hours=6), last_fired=fired
    )
    assert [r.rule for r in later.recommendations] == [LOW_PRECISION]
    assert later.recommendations[0].payload()["changes"][0] == {
        "param": "retrieval.top_k", "from": 4, "to": 3,
    }  # fmt: skip


def test_a_rule_recommendation_that_needs_approval_counts_as_fired(engine, bootstrapped, t0):
    rules = ImprovementRules(top_k_step=10, precision_cycles=1)
    params = {**default_params(), "retrieval.top_k": 20}
    with session_scope(engine) as session:
        update_params(
            {"reason": "widen", "initiated_by": "owner",
             "changes": [{"param": "retrieval.top_k", "from": 5, "to": 20}]},
            session=session, now=t0,
        )  # fmt: skip
    report = recommend_improvements(cycles(precision=[0.2]), params=params, now=t0, rules=rules)
    with session_scope(engine) as session:
        result = update_params(report.recommendations[0].payload(), session=session, now=t0)
        assert result.status == "proposed"
        assert rule_firings(session=session) == {LOW_PRECISION: t0}


def memory(t0, *, age_days, retrieved, used, helpful, flagged=False):
    return SimpleNamespace(
        id=uuid.uuid4(),
        times_retrieved=retrieved,
        times_used=used,
        times_helpful=helpful,
        flagged=flagged,
        created_at=t0 - timedelta(days=age_days),
    )


def test_quality_score_formula():
    assert quality_score(10, 5, 2) == pytest.approx(0.5 * 0.4)
    assert quality_score(10, 0, 0) == 0.0
    assert quality_score(0, 0, 0) is None
    assert quality_score(4, 8, 9) == 1.0


def test_memory_quality_flags_then_prunes_and_unflags_recovered_ones(t0):
    useless = memory(t0, age_days=40, retrieved=20, used=1, helpful=1)
    young = memory(t0, age_days=10, retrieved=20, used=0, helpful=0)
    rarely_seen = memory(t0, age_days=90, retrieved=2, used=0, helpful=0)
    good = memory(t0, age_days=40, retrieved=10, used=5, helpful=4)
    flagged_still_bad = memory(t0, age_days=60, retrieved=30, used=2, helpful=0, flagged=True)
    recovered = memory(t0, age_days=60, retrieved=10, used=5, helpful=3, flagged=True)
    rows = [useless, young, rarely_seen, good, flagged_still_bad, recovered]
    actions = memory_quality_actions(rows, t0)
    assert actions.flag == (useless.id,)
    assert actions.prune == (flagged_still_bad.id,)
    assert actions.unflag == (recovered.id,)
    assert actions.scores[useless.id] == pytest.approx(0.05)
    assert actions.scores[good.id] == pytest.approx(0.4)
    # The rule rests between runs, so a flagged memory gets time to recover before pruning.
    resting = memory_quality_actions(rows, t0, last_run=t0 - timedelta(days=2))
    assert resting.flag == resting.prune == () and "cooldown" in resting.skipped
    lenient = MemoryQualityPolicy(threshold=0.01, min_age=timedelta(days=5))
    assert memory_quality_actions([useless, young], t0, policy=lenient).flag == (young.id,)


def test_memory_quality_reads_store_rows(t0):
    row = Memory(
        id=uuid.uuid4(), user_id="u", text="x", times_retrieved=9, times_used=0,
        times_helpful=0, flagged=False, created_at=t0 - timedelta(days=31),
    )  # fmt: skip
    assert memory_quality_actions([row], t0).flag == (row.id,)

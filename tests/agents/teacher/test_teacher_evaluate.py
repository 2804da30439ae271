"""Evaluation from SQL on a real database: pairing, counting, verdicts and stored results."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import select
from teacher_factories import (
    T0,
    add_episode,
    add_pairs,
    min_relevance_plan,
    prepare,
    probe_row,
)

from selflearn.agents.teacher import evaluate_experiment_sql, experiment_record
from selflearn.errors import NotFoundError
from selflearn.store import session_scope
from selflearn.store.models import ExperimentResult


def _evaluate(database, plan, look=1):
    with session_scope(database.engine) as session:
        return evaluate_experiment_sql(
            plan.experiment_id, session=session, plan=plan, look=look, now=T0
        )


def _rows(database, experiment_id):
    with session_scope(database.engine) as session:
        found = session.scalars(
            select(ExperimentResult)
            .where(ExperimentResult.experiment_id == experiment_id)
            .order_by(ExperimentResult.look, ExperimentResult.metric)
        ).all()
        return [(r.look, r.variant, r.metric, r.n, r.effect, r.p_value, r.verdict) for r in found]


def test_metrics_are_aggregated_per_episode_and_paired_by_scenario_and_seed(database):
    plan = min_relevance_plan(10)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        base = [
            probe_row(latency_ms=100.0, tokens=100, hallucination=True),
            probe_row(latency_ms=300.0, tokens=300, abstention=True, answer_correct=False),
            probe_row(
                unanswerable=True, abstention=True, answer_correct=True, recall=None, hit=None
            ),
        ]
        variant = [
            probe_row(latency_ms=200.0, tokens=100, cost_usd=0.003),
            probe_row(latency_ms=200.0, tokens=100, error=True, answer_correct=False),
            probe_row(unanswerable=True, abstention=False, hallucination=True, recall=None),
        ]
        for seed in (1, 2):
            finished = T0 + timedelta(minutes=seed)
            add_episode(session, plan, "baseline", "s", seed, base, finished=finished)
            add_episode(session, plan, "variant", "s", seed, variant, finished=finished)
    evaluation = _evaluate(database, plan)
    assert evaluation.pairs == 2
    assert evaluation.counts == {"baseline": 2, "variant": 2}
    b, v = evaluation.arms["baseline"].means, evaluation.arms["variant"].means
    assert b["hallucination_rate"] == pytest.approx(1 / 3)
    assert b["abstention_rate"] == pytest.approx(2 / 3)
    # Only answerable probes count for correctness and false abstention.
    assert b["answer_correct_rate"] == pytest.approx(0.5)
    assert b["false_abstention_rate"] == pytest.approx(0.5)
    assert b["recall"] == pytest.approx(1.0)  # NULL recall is left out, not a zero
    assert b["hit_rate"] == pytest.approx(1.0)
    assert b["tokens_per_probe"] == pytest.approx(200.0)
    assert v["error_rate"] == pytest.approx(1 / 3)
    assert v["cost_per_probe_usd"] == pytest.approx(0.005 / 3)
    # percentile_cont over 100, 100, 300: the 95th percentile interpolates to 280.
    assert b["latency_ms_p95"] == pytest.approx(280.0)
    # Over every probe of the arm (100 x4, 300 x2) it is 300.
    assert evaluation.arms["baseline"].latency_ms_p95 == pytest.approx(300.0)
    assert evaluation.arms["variant"].latency_ms_p95 == pytest.approx(200.0)
    assert evaluation.arms["baseline"].probes == 6


def test_a_clear_effect_wins_and_only_complete_pairs_of_finished_episodes_count(database):
    plan = min_relevance_plan(11)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_pairs(session, plan, pairs=60, hallucination={"baseline": 0.5, "variant": 0.1})
        terrible = [probe_row(hallucination=False, abstention=True)] * 6
        # Still running: must not count, however good it looks.
        add_episode(session, plan, "variant", "scn-extra", 7, terrible, status="running")
        # The baseline finished a pair the variant never did: counted, but not paired.
        add_episode(session, plan, "baseline", "scn-lonely", 8, [probe_row()], finished=T0)
        # A re-run of an existing baseline episode replaces it instead of counting twice.
        add_episode(
            session,
            plan,
            "baseline",
            "scn0",
            1000,
            [probe_row(hallucination=True)] * 6,
            finished=T0 + timedelta(days=1),
            run=2,
        )
    evaluation = _evaluate(database, plan)
    assert evaluation.pairs == 60
    assert evaluation.unfinished == 1
    assert evaluation.counts == {"baseline": 61, "variant": 60}
    assert not evaluation.report.sample_ratio.mismatch
    verdict = evaluation.verdict("variant")
    assert verdict.verdict == "winner", verdict.reasons
    hallucination = next(d for d in verdict.deltas if d.metric == "hallucination_rate")
    assert hallucination.n == 60
    assert hallucination.effect < -0.3 and hallucination.ci_high < 0
    abstention = next(d for d in verdict.deltas if d.metric == "abstention_rate")
    assert abstention.guardrail == "safe"
    # Only the re-run differs (it abstains on none of its six probes, the original on one):
    # proof that it replaced the original episode.
    assert abstention.effect == pytest.approx(1 / 6 / 60)
    record = experiment_record(plan, evaluation)
    assert record.verdicts == {"variant": "winner"}
    means = record.primary_means
    assert means["variant"]["hallucination_rate"] < means["baseline"]["hallucination_rate"]


def test_results_are_stored_per_variant_metric_and_look_and_replaced_on_a_rerun(database):
    plan = min_relevance_plan(12)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_pairs(session, plan, pairs=30, hallucination={"baseline": 0.5, "variant": 0.1})
    _evaluate(database, plan, look=1)
    first = _rows(database, plan.experiment_id)
    assert [(r[0], r[1], r[2], r[3]) for r in first] == [
        (1, "variant", "abstention_rate", 30),
        (1, "variant", "hallucination_rate", 30),
    ]
    _evaluate(database, plan, look=1)
    assert _rows(database, plan.experiment_id) == first
    with session_scope(database.engine) as session:
        add_pairs(
            session, plan, pairs=20, hallucination={"baseline": 0.5, "variant": 0.1}, start=30
        )
    _evaluate(database, plan, look=2)
    rows = _rows(database, plan.experiment_id)
    assert rows[:2] == first
    assert [(r[0], r[2], r[3]) for r in rows[2:]] == [
        (2, "abstention_rate", 50),
        (2, "hallucination_rate", 50),
    ]
    with session_scope(database.engine) as session:
        stored = session.scalar(
            select(ExperimentResult).where(
                ExperimentResult.experiment_id == plan.experiment_id,
                ExperimentResult.look == 2,
                ExperimentResult.metric == "hallucination_rate",
            )
        )
        assert stored is not None
        assert stored.baseline_mean > stored.variant_mean
        assert stored.details["delta"]["movement"] == "better"
        assert stored.created_at == T0


def test_no_effect_is_inconclusive_and_says_how_many_more_pairs(database):
    plan = min_relevance_plan(13)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_pairs(session, plan, pairs=20, hallucination={"baseline": 0.3, "variant": 0.25}, seed=4)
    verdict = _evaluate(database, plan).verdict("variant")
    assert verdict.verdict == "inconclusive"
    assert isinstance(verdict.extra_needed, int) and verdict.extra_needed > 0
    assert any("more paired episodes" in reason for reason in verdict.reasons)


def test_a_worse_variant_loses(database):
    plan = min_relevance_plan(14)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_pairs(session, plan, pairs=40, hallucination={"baseline": 0.1, "variant": 0.5})
    verdict = _evaluate(database, plan).verdict("variant")
    assert verdict.verdict == "loser"
    assert verdict.extra_needed is None


def test_no_pairs_yet_is_inconclusive_not_an_error(database):
    plan = min_relevance_plan(15)
    with session_scope(database.engine) as session:
        prepare(session, plan)
        add_episode(session, plan, "baseline", "s", 1, [probe_row()], finished=T0)
    evaluation = _evaluate(database, plan)
    assert evaluation.pairs == 0
    assert evaluation.verdict("variant").verdict == "inconclusive"
    assert math.isnan(evaluation.verdict("variant").deltas[0].effect)
    assert evaluation.arms["baseline"].means["hallucination_rate"] is None


def test_an_unknown_experiment_is_refused(database):
    plan = min_relevance_plan(16)
    with session_scope(database.engine) as session, pytest.raises(NotFoundError):
        evaluate_experiment_sql(plan.experiment_id, session=session, plan=plan, look=1)
    assert _rows(database, plan.experiment_id) == []

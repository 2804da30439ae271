"""Experiment verdicts: primaries, guardrails as non-inferiority margins, sample-ratio check."""

from __future__ import annotations

import numpy as np
import pytest

from selflearn.agents.teacher.stats import (
    ExperimentReport,
    MetricSpec,
    check_sample_ratio,
    evaluate_experiment,
)

N = 200
PRECISION = MetricSpec(name="precision")
RECALL = MetricSpec(name="recall", role="guardrail", margin=0.03)
LATENCY = MetricSpec(name="latency_ms", higher_is_better=False, role="guardrail", margin=20.0)
METRICS = [PRECISION, RECALL, LATENCY]


def _arms(
    *, precision: float = 0.0, recall: float = 0.0, latency: float = 0.0, seed: int = 0, n: int = N
) -> dict[str, dict[str, list[float]]]:
    """Return baseline and one variant whose metrics are shifted by the given amounts."""
    rng = np.random.default_rng(seed)
    base = {
        "precision": rng.normal(0.6, 0.1, n),
        "recall": rng.normal(0.5, 0.1, n),
        "latency_ms": rng.normal(300.0, 30.0, n),
    }
    shifts = {"precision": precision, "recall": recall, "latency_ms": latency}
    spread = {"precision": 0.05, "recall": 0.02, "latency_ms": 5.0}
    variant = {k: v + shifts[k] + rng.normal(0.0, spread[k], n) for k, v in base.items()}
    return {
        "baseline": {k: v.tolist() for k, v in base.items()},
        "variant": {k: v.tolist() for k, v in variant.items()},
    }


def _only(report: ExperimentReport):
    assert len(report.verdicts) == 1
    return report.verdicts[0]


def _delta(verdict, name):
    return next(d for d in verdict.deltas if d.metric == name)


def test_better_primary_with_safe_guardrails_is_a_winner():
    verdict = _only(evaluate_experiment(METRICS, _arms(precision=0.04, latency=5.0), planned_n=N))
    assert verdict.verdict == "winner"
    assert verdict.valid
    assert _delta(verdict, "precision").movement == "better"
    latency = _delta(verdict, "latency_ms")
    assert latency.guardrail == "safe"
    assert latency.movement == "worse"  # it did move, within the margin: a side effect
    assert any("latency_ms: worse" in s and "within the margin" in s for s in verdict.side_effects)
    assert verdict.extra_needed is None


def test_guardrail_wholly_beyond_its_margin_is_violated_and_makes_a_loser():
    verdict = _only(evaluate_experiment(METRICS, _arms(precision=0.04, latency=45.0), planned_n=N))
    assert _delta(verdict, "latency_ms").guardrail == "violated"
    assert verdict.verdict == "loser"
    assert "guardrail is violated: latency_ms" in verdict.reasons[0]


def test_guardrail_straddling_its_margin_is_not_yet_shown_safe():
    # Recall drops by about the margin: the interval contains the margin.
    data = _arms(precision=0.04, recall=-0.03, seed=1)
    verdict = _only(evaluate_experiment(METRICS, data, planned_n=N))
    recall = _delta(verdict, "recall")
    assert recall.guardrail == "not_yet_safe"
    assert recall.ci_low < -0.03 < recall.ci_high
    assert verdict.verdict == "inconclusive"
    assert "not yet shown safe on recall" in verdict.reasons[0]


def test_pending_guardrail_says_how_many_more_episodes():
    data = _arms(precision=0.04, recall=-0.02, n=60, seed=2)
    verdict = _only(evaluate_experiment(METRICS, data, planned_n=N))
    recall = _delta(verdict, "recall")
    assert recall.guardrail == "not_yet_safe"
    assert verdict.verdict == "inconclusive"
    assert verdict.extra_needed is not None and verdict.extra_needed > 0
    assert verdict.extra_needed >= (recall.extra_needed or 0)


def test_a_guardrail_that_improved_passes_regardless_of_its_margin():
    verdict = _only(evaluate_experiment(METRICS, _arms(precision=0.04, latency=-30.0), planned_n=N))
    latency = _delta(verdict, "latency_ms")
    assert latency.guardrail == "safe"
    assert latency.movement == "better"
    assert verdict.verdict == "winner"


def test_worse_primary_makes_a_loser():
    verdict = _only(evaluate_experiment(METRICS, _arms(precision=-0.04), planned_n=N))
    assert verdict.verdict == "loser"
    assert _delta(verdict, "precision").movement == "worse"


def test_no_change_is_inconclusive_with_reasons():
    verdict = _only(evaluate_experiment(METRICS, _arms(n=40, seed=3), planned_n=N))
    assert verdict.verdict == "inconclusive"
    assert verdict.reasons[0].startswith("no primary metric has moved clearly yet")
    assert any(r.startswith("precision: no clear change") for r in verdict.reasons)


def test_trade_off_between_primaries_is_left_to_a_person():
    metrics = [PRECISION, MetricSpec(name="recall"), LATENCY]
    verdict = _only(evaluate_experiment(metrics, _arms(precision=0.04, recall=-0.05), planned_n=N))
    assert verdict.verdict == "inconclusive"
    assert verdict.reasons[0].startswith("a trade-off")


def test_primary_p_values_are_corrected_across_metrics_and_variants():
    data = _arms(precision=0.01, seed=4, n=80)
    data["other"] = {k: list(v) for k, v in data["variant"].items()}
    metrics = [PRECISION, MetricSpec(name="recall"), LATENCY]
    report = evaluate_experiment(metrics, data, planned_n=N, correction="bonferroni")
    raw = [_delta(v, m).p_value for v in report.verdicts for m in ("precision", "recall")]
    adjusted = [
        _delta(v, m).adjusted_p_value for v in report.verdicts for m in ("precision", "recall")
    ]
    assert adjusted == pytest.approx([min(1.0, 4 * p) for p in raw])
    assert [v.variant for v in report.verdicts] == ["variant", "other"]


def test_sample_ratio_mismatch_withholds_the_verdict():
    data = _arms(precision=0.05)
    for name in data["variant"]:
        data["variant"][name][:70] = [float("nan")] * 70  # seventy variant episodes lost
    report = evaluate_experiment(METRICS, data, planned_n=N)
    assert report.sample_ratio.mismatch
    assert report.sample_ratio.counts == {"baseline": N, "variant": N - 70}
    verdict = _only(report)
    assert not verdict.valid
    assert verdict.verdict == "inconclusive"
    assert "sample ratio mismatch" in verdict.reasons[0]


def test_sample_ratio_check_against_a_planned_split():
    assert not check_sample_ratio({"a": 1000, "b": 1010}).mismatch
    assert not check_sample_ratio({"a": 1000, "b": 900}).mismatch  # p = 0.02: chance
    assert check_sample_ratio({"a": 1000, "b": 850}).mismatch
    assert not check_sample_ratio({"a": 2000, "b": 1000}, {"a": 2, "b": 1}).mismatch
    assert check_sample_ratio({"a": 1500, "b": 1500}, {"a": 2, "b": 1}).mismatch
    with pytest.raises(ValueError, match="planned split names arms"):
        check_sample_ratio({"a": 1, "b": 1}, {"a": 1, "c": 1})


def test_report_is_json_ready():
    report = evaluate_experiment(METRICS, _arms(n=3), planned_n=N)
    text = report.model_dump_json()
    assert ExperimentReport.model_validate_json(text) == report


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ([RECALL], "at least one primary"),
        ([PRECISION, PRECISION], "unique"),
        ([PRECISION, MetricSpec(name="missing")], "no values for metric 'missing'"),
    ],
)
def test_bad_experiment_definitions_are_refused(metrics, message):
    with pytest.raises(ValueError, match=message):
        evaluate_experiment(metrics, _arms(n=10))


def test_guardrail_needs_a_margin_and_primary_takes_none():
    with pytest.raises(ValueError, match="needs a non-inferiority margin"):
        MetricSpec(name="latency", role="guardrail")
    with pytest.raises(ValueError, match="takes no margin"):
        MetricSpec(name="precision", margin=0.1)


def test_misaligned_episodes_are_refused():
    data = _arms(n=10)
    data["variant"]["recall"] = data["variant"]["recall"][:9]
    with pytest.raises(ValueError, match="one value per episode"):
        evaluate_experiment(METRICS, data)
    with pytest.raises(ValueError, match="baseline arm 'control'"):
        evaluate_experiment(METRICS, _arms(n=10), baseline="control")

"""The sequential paired decision: error rates under peeking, power, edge cases, corrections."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from selflearn.agents.teacher.stats import (
    Decision,
    adjust_pvalues,
    decide,
    mixture_variance,
    plan_sample_size,
)
from selflearn.agents.teacher.stats._mixture import prefix_path

EXPERIMENTS = 1000
LOOKS = 10


def _paired_scores(seed: int, n: int, effect_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Return EXPERIMENTS x n paired scores; the differences have SD 0.1 * sqrt(2)."""
    rng = np.random.default_rng(seed)
    episode = rng.normal(0.6, 0.15, size=(EXPERIMENTS, n))
    baseline = episode + rng.normal(0.0, 0.1, size=(EXPERIMENTS, n))
    shift = effect_sd * 0.1 * math.sqrt(2.0)
    variant = episode + shift + rng.normal(0.0, 0.1, size=(EXPERIMENTS, n))
    return baseline, variant


def _looks(n: int) -> list[int]:
    return [round(n * (i + 1) / LOOKS) for i in range(LOOKS)]


def _first_verdicts(baseline: np.ndarray, variant: np.ndarray, planned_n: int) -> list[str]:
    """Return, per experiment, the first non-inconclusive verdict over the looks."""
    verdicts = []
    for row in range(baseline.shape[0]):
        verdict = "inconclusive"
        for k in _looks(baseline.shape[1]):
            verdict = decide(baseline[row, :k], variant[row, :k], planned_n=planned_n).verdict
            if verdict != "inconclusive":
                break
        verdicts.append(verdict)
    return verdicts


@pytest.fixture(scope="module")
def planned() -> int:
    return plan_sample_size(0.3, alpha=0.05, power=0.8)


@pytest.fixture(scope="module")
def aa_scores(planned: int) -> tuple[np.ndarray, np.ndarray]:
    return _paired_scores(seed=7, n=planned, effect_sd=0.0)


def test_aa_false_positive_rate_stays_below_alpha_with_ten_looks(aa_scores, planned):
    verdicts = _first_verdicts(*aa_scores, planned_n=planned)
    rate = sum(v != "inconclusive" for v in verdicts) / EXPERIMENTS
    assert rate <= 0.05


def test_naive_t_test_at_every_look_inflates_false_positives_on_the_same_data(aa_scores, planned):
    baseline, variant = aa_scores
    rejected = np.zeros(EXPERIMENTS, dtype=bool)
    for k in _looks(planned):
        rejected |= stats.ttest_rel(variant[:, :k], baseline[:, :k], axis=1).pvalue < 0.05
    assert rejected.mean() > 0.1


def test_power_at_planned_size_for_a_third_of_a_standard_deviation(planned):
    baseline, variant = _paired_scores(seed=11, n=planned, effect_sd=0.3)
    verdicts = _first_verdicts(baseline, variant, planned_n=planned)
    assert sum(v == "winner" for v in verdicts) / EXPERIMENTS >= 0.8
    assert "loser" not in verdicts


def test_confidence_sequence_covers_the_true_effect_at_every_look():
    effect_sd = 0.2
    baseline, variant = _paired_scores(seed=5, n=120, effect_sd=effect_sd)
    truth = effect_sd * 0.1 * math.sqrt(2.0)
    missed = 0
    for row in range(300):
        for k in _looks(120):
            d = decide(baseline[row, :k], variant[row, :k], planned_n=120)
            if not d.ci_low <= truth <= d.ci_high:
                missed += 1
                break
    assert missed / 300 <= 0.05


def test_planned_size_is_in_the_expected_range(planned):
    # One fixed-horizon paired t-test needs 90 pairs for 0.3 SD; always-valid costs more.
    assert 90 < planned < 250
    assert plan_sample_size(0.5) < planned < plan_sample_size(0.2)
    assert plan_sample_size(-0.3) == planned


@pytest.mark.parametrize("effect", [0.0, float("nan"), float("inf")])
def test_plan_sample_size_rejects_effects_it_cannot_plan_for(effect):
    with pytest.raises(ValueError, match="effect_size_sd"):
        plan_sample_size(effect)


def test_lower_is_better_turns_a_decrease_into_a_winner():
    rng = np.random.default_rng(1)
    baseline = rng.normal(300.0, 20.0, 200)
    faster = baseline - 15.0 + rng.normal(0.0, 10.0, 200)
    d = decide(baseline, faster, higher_is_better=False)
    assert d.verdict == "winner"
    assert d.effect < 0 and d.ci_high < 0
    assert decide(baseline, faster, higher_is_better=True).verdict == "loser"


def test_a_clearly_worse_variant_is_a_loser():
    rng = np.random.default_rng(2)
    baseline = rng.normal(0.7, 0.1, 150)
    worse = baseline - 0.05 + rng.normal(0.0, 0.05, 150)
    d = decide(baseline, worse)
    assert d.verdict == "loser"
    assert d.ci_high < 0
    assert d.p_value <= 0.05
    assert d.extra_needed is None


def test_inconclusive_states_how_many_more_pairs_would_decide():
    rng = np.random.default_rng(3)
    baseline = rng.normal(0.5, 0.1, 30)
    variant = baseline + rng.normal(0.02, 0.1, 30)
    d = decide(baseline, variant)
    assert d.verdict == "inconclusive"
    assert d.ci_low < 0 < d.ci_high
    assert d.extra_needed is not None and d.extra_needed > 0
    assert f"{d.extra_needed} more pairs" in d.reason


def test_the_p_value_is_the_evidence_of_the_current_look():
    rng = np.random.default_rng(4)
    baseline = rng.normal(0.0, 1.0, 80)
    variant = baseline + rng.normal(0.1, 1.0, 80)
    for k in (10, 40, 80):
        decision = decide(baseline[:k], variant[:k])
        path = prefix_path(variant[:k] - baseline[:k], decision.mixture_variance, 0.05)
        assert decision.p_value == pytest.approx(min(1.0, math.exp(-path.log_bf[-1])))


def test_unequal_lengths_are_refused_with_both_lengths_named():
    with pytest.raises(ValueError, match=r"unequal lengths: baseline has 3 .* variant has 2"):
        decide([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"power": 1.0}, "power"),
        ({"planned_n": 1}, "planned_n"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        decide([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], **kwargs)


def test_infinite_and_nested_inputs_are_refused():
    with pytest.raises(ValueError, match="variant has an infinite value at position 1"):
        decide([1.0, 2.0], [1.0, float("inf")])
    with pytest.raises(ValueError, match="flat"):
        decide([[1.0, 2.0]], [[1.0, 2.0]])


def test_pairs_with_nan_are_dropped_and_counted():
    d = decide([1.0, float("nan"), 3.0, 4.0], [1.5, 2.0, float("nan"), 4.5])
    assert d.n == 2
    assert d.n_dropped == 2
    assert d.effect == pytest.approx(0.5)


@pytest.mark.parametrize("size", [0, 1])
def test_fewer_than_two_pairs_is_inconclusive_with_an_unbounded_interval(size):
    d = decide([1.0] * size, [2.0] * size, planned_n=50)
    assert d.verdict == "inconclusive"
    assert d.p_value == 1.0
    assert d.ci_low == -math.inf and d.ci_high == math.inf
    assert d.extra_needed == 50 - size
    assert math.isnan(d.effect) if size == 0 else d.effect == 1.0


def test_identical_arms_are_never_decided_and_need_no_more_pairs():
    d = decide([0.1, 0.5, 0.9] * 20, [0.1, 0.5, 0.9] * 20)
    assert d.verdict == "inconclusive"
    assert d.effect == 0.0 and d.sd == 0.0
    assert d.extra_needed is None
    assert "identical" in d.reason


def test_a_constant_improvement_wins_once_enough_pairs_agree():
    baseline = [0.2, 0.4, 0.6, 0.8] * 10
    variant = [b + 0.1 for b in baseline]
    early = decide(baseline[:5], variant[:5])
    assert early.verdict == "inconclusive"
    assert early.extra_needed is not None
    later = decide(baseline[: 5 + early.extra_needed], variant[: 5 + early.extra_needed])
    assert later.verdict == "winner"
    assert later.effect == pytest.approx(0.1)


def test_tuning_follows_the_planned_size():
    assert mixture_variance(200, 0.05) == pytest.approx(mixture_variance(100, 0.05) / 2)
    d = decide([0.0, 1.0, 2.0], [0.5, 1.0, 2.5], planned_n=40)
    assert d.mixture_variance == pytest.approx(mixture_variance(40, 0.05))


def test_decision_survives_a_json_round_trip_with_an_unbounded_interval():
    d = decide([1.0, 2.0, 3.0], [1.2, 2.1, 3.3])
    assert math.isinf(d.ci_high)
    text = d.model_dump_json()
    assert "Infinity" in text
    assert Decision.model_validate_json(text) == d


def test_holm_bonferroni_and_benjamini_hochberg_on_a_known_example():
    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    harmonic = 1 + 1 / 2 + 1 / 3 + 1 / 4
    expected = [0.02 * harmonic, 0.04 * harmonic, 0.04 * harmonic, 0.02 * harmonic]
    assert adjust_pvalues(p, "by") == pytest.approx(expected)


def test_adjusted_p_values_are_capped_at_one_and_keep_order():
    assert adjust_pvalues([0.5, 0.9], "holm") == [1.0, 1.0]
    assert adjust_pvalues([], "bh") == []


@pytest.mark.parametrize(("pvalues", "method"), [([0.1, 1.2], "holm"), ([0.1], "sidak")])
def test_bad_p_values_or_methods_are_refused(pvalues, method):
    with pytest.raises(ValueError):
        adjust_pvalues(pvalues, method)


def test_the_interval_always_holds_the_mean_even_when_the_data_drift():
    # Pairs ordered by source (e.g. questions conversation after conversation): the first
    # half shows no change, the second a clear gain. A running intersection of per-look
    # intervals would end up excluding the final mean; the reported interval must not.
    rng = np.random.default_rng(7)
    baseline = rng.random(600)
    gain = np.r_[np.zeros(300), np.full(300, 0.05)] + rng.normal(0.0, 0.01, 600)
    decision = decide(baseline, baseline + gain, planned_n=600)
    assert decision.ci_low <= decision.effect <= decision.ci_high


@pytest.mark.parametrize("seed", range(8))
def test_a_verdict_never_contradicts_the_mean_of_drifting_pairs(seed):
    # Recall-like pair differences ordered by source: a few losses first, then gains. The
    # best earlier prefix says "worse"; the data as a whole do not.
    rng = np.random.default_rng(seed)
    first = rng.choice([0.0] * 19 + [-0.2], 250)
    later = rng.choice([0.0] * 15 + [0.2] * 4 + [-0.2], 250)
    diffs = np.r_[first, later]
    decision = decide(np.full(500, 0.5), 0.5 + diffs, planned_n=500)
    assert decision.ci_low <= decision.effect <= decision.ci_high
    if decision.verdict != "inconclusive":
        assert (decision.verdict == "winner") == (decision.effect > 0)

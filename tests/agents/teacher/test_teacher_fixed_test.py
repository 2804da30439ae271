"""The one-look paired t-test of the holdout check: agrees with SciPy, honest at the edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from selflearn.agents.teacher.stats import fixed_paired_test


def test_matches_scipy_on_random_pairs():
    rng = np.random.default_rng(7)
    baseline = rng.normal(0.3, 0.1, 20)
    variant = baseline - 0.05 + rng.normal(0, 0.05, 20)
    result = fixed_paired_test(list(baseline), list(variant), higher_is_better=False)
    expected = stats.ttest_rel(variant, baseline)
    low, high = expected.confidence_interval(0.95)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.verdict == "winner" and result.effect < 0  # lower is better here


def test_a_worse_variant_is_a_loser_and_noise_is_inconclusive():
    rng = np.random.default_rng(1)
    baseline = rng.normal(0.5, 0.1, 30)
    worse = baseline - 0.2 + rng.normal(0, 0.02, 30)
    assert fixed_paired_test(list(baseline), list(worse)).verdict == "loser"
    noise = baseline + rng.normal(0, 0.1, 30)
    assert fixed_paired_test(list(baseline), list(noise)).verdict == "inconclusive"


def test_false_positive_rate_stays_at_alpha():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(2000):
        baseline = rng.normal(0.5, 0.1, 12)
        variant = baseline + rng.normal(0, 0.1, 12)
        hits += fixed_paired_test(list(baseline), list(variant)).verdict != "inconclusive"
    assert 0.03 < hits / 2000 < 0.07


def test_identical_arms_differ_by_zero_and_uniform_shifts_decide_nothing():
    same = fixed_paired_test([0.2, 0.4, 0.0], [0.2, 0.4, 0.0])
    assert same.verdict == "inconclusive" and (same.ci_low, same.ci_high) == (0.0, 0.0)
    shifted = fixed_paired_test([0.2, 0.4, 0.0], [0.3, 0.5, 0.1])
    assert shifted.verdict == "inconclusive" and shifted.effect == pytest.approx(0.1)
    assert shifted.p_value == 1.0 and math.isinf(shifted.ci_high)
    assert "same amount" in shifted.reason


def test_a_minimum_number_of_pairs_is_required():
    baseline = [0.1, 0.4, 0.2, 0.3, 0.5, 0.2]
    variant = [0.6, 0.8, 0.9, 0.7, 1.0, 0.8]
    assert fixed_paired_test(baseline, variant).verdict == "winner"
    few = fixed_paired_test(baseline, variant, min_n=30)
    assert few.verdict == "inconclusive" and few.p_value == 1.0
    assert "at least 30" in few.reason


def test_too_few_pairs_and_bad_input():
    one = fixed_paired_test([0.2], [0.1])
    assert one.verdict == "inconclusive" and math.isinf(one.ci_low) and one.p_value == 1.0
    nan_dropped = fixed_paired_test([0.2, math.nan, 0.4, 0.1], [0.1, 0.5, 0.2, 0.2])
    assert nan_dropped.n == 3
    with pytest.raises(ValueError, match="unequal lengths"):
        fixed_paired_test([0.1, 0.2], [0.1])

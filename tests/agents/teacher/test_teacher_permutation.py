"""The paired sign-flip permutation test: exact p-values, a level it keeps, its interval."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from selflearn.agents.teacher.stats import fixed_paired_test, permutation_paired_test
from selflearn.agents.teacher.stats._permutation import sign_flip_p_value


def test_small_samples_get_the_exact_p_value_of_every_sign_pattern():
    diffs = [0.3, 0.1, 0.2, -0.1, 0.4]
    total = abs(sum(diffs))
    patterns = list(itertools.product((1, -1), repeat=len(diffs)))
    at_least = sum(
        abs(sum(s * d for s, d in zip(signs, diffs, strict=True))) >= total - 1e-12
        for signs in patterns
    )
    assert sign_flip_p_value(diffs) == pytest.approx(at_least / 32)
    # All ten positive: only the pattern itself and its mirror are as extreme.
    assert sign_flip_p_value([0.1] * 9 + [0.2]) == pytest.approx(2 / 1024)


def _skewed_null(rng: np.random.Generator, n: int) -> np.ndarray:
    # Mostly zero, bounded, lopsided magnitudes with random signs: what A/A scenario means
    # of rates look like, and where the t-test's normal approximation is poorest.
    sizes = np.where(rng.random(n) < 0.7, 0.0, rng.choice([0.05, 0.1, 0.5], size=n))
    return sizes * rng.choice([-1.0, 1.0], size=n)


def test_the_level_holds_on_skewed_mostly_zero_differences():
    rng = np.random.default_rng(11)
    runs = 400
    decided = sum(
        permutation_paired_test(np.zeros(30), _skewed_null(rng, 30)).verdict != "inconclusive"
        for _ in range(runs)
    )
    assert decided / runs <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / runs)


def test_the_interval_excludes_zero_exactly_when_the_test_decides():
    rng = np.random.default_rng(12)
    decisions = 0
    for k in range(300):
        n = (10, 14, 20, 30)[k % 4]
        diffs = _skewed_null(rng, n) + (0.06 if k % 3 else 0.0) * (rng.random(n) < 0.6)
        result = permutation_paired_test(np.zeros(n), diffs)
        if result.sd == 0.0:
            continue
        excludes = result.ci_low > 0 or result.ci_high < 0
        assert excludes == (result.verdict != "inconclusive"), result.reason
        assert result.ci_low <= result.effect <= result.ci_high
        decisions += excludes
    assert 0 < decisions < 300  # both outcomes were exercised


def test_a_clear_gain_wins_and_agrees_with_the_t_test_on_normal_data():
    rng = np.random.default_rng(13)
    baseline = rng.uniform(0.2, 0.8, size=30)
    variant = baseline + 0.1 + rng.normal(0, 0.05, size=30)
    exact = permutation_paired_test(baseline, variant)
    classic = fixed_paired_test(baseline, variant)
    assert exact.verdict == classic.verdict == "winner"
    assert exact.ci_low == pytest.approx(classic.ci_low, abs=0.01)
    assert exact.ci_high == pytest.approx(classic.ci_high, abs=0.01)
    assert permutation_paired_test(variant, baseline).verdict == "loser"


def test_degenerate_samples_decide_nothing():
    shifted = permutation_paired_test([0.2, 0.4, 0.0], [0.3, 0.5, 0.1])
    assert shifted.verdict == "inconclusive" and shifted.p_value == 1.0
    assert math.isinf(shifted.ci_low) and "same amount" in shifted.reason
    few = permutation_paired_test([0.1] * 5, [0.3, 0.4, 0.2, 0.5, 0.3], min_n=10)
    assert few.verdict == "inconclusive" and "at least 10" in few.reason


def test_the_same_data_give_the_same_p_value_beyond_exact_enumeration():
    rng = np.random.default_rng(14)
    diffs = rng.normal(0.02, 0.1, size=40)
    assert sign_flip_p_value(diffs) == sign_flip_p_value(diffs.copy())

"""Scenario-level inference: seeds of one scenario are averaged before the paired test."""

from __future__ import annotations

import numpy as np

from selflearn.agents.teacher.stats import scenario_paired_test


def _arms(effects: dict[str, float], seeds: int, noise: float, rng: np.random.Generator):
    baseline, variant = {}, {}
    for scenario, effect in effects.items():
        level = rng.uniform(0.2, 0.8)
        for seed in range(seeds):
            baseline[(scenario, seed)] = level
            variant[(scenario, seed)] = level + effect + rng.normal(0, noise)
    return baseline, variant


def test_seeds_of_a_deterministic_system_do_not_count_as_samples():
    rng = np.random.default_rng(3)
    # Four scenarios, two of which get worse: twenty seeds each must not make it significant.
    effects = {"a": -0.3, "b": 0.4, "c": -0.2, "d": 0.5}
    baseline, variant = _arms(effects, seeds=20, noise=0.0, rng=rng)
    result = scenario_paired_test(baseline, variant, min_scenarios=2)
    assert result.n == 4 and result.verdict == "inconclusive"
    assert result.method == "paired sign-flip permutation test over scenario means"


def test_a_consistent_gain_over_enough_scenarios_is_a_winner():
    rng = np.random.default_rng(4)
    effects = {f"s{k}": 0.1 + rng.normal(0, 0.03) for k in range(30)}
    baseline, variant = _arms(effects, seeds=2, noise=0.02, rng=rng)
    result = scenario_paired_test(baseline, variant)
    assert result.n == 30 and result.verdict == "winner" and result.ci_low > 0


def test_too_few_scenarios_decide_nothing():
    rng = np.random.default_rng(5)
    effects = {f"s{k}": 0.3 for k in range(5)}
    baseline, variant = _arms(effects, seeds=3, noise=0.05, rng=rng)
    result = scenario_paired_test(baseline, variant, min_scenarios=10)
    assert result.verdict == "inconclusive" and result.p_value == 1.0
    assert "at least 10" in result.reason


def test_only_keys_both_arms_measured_count():
    baseline = {("a", 0): 0.5, ("a", 1): 0.7, ("b", 0): 0.2, ("c", 0): 0.4}
    variant = {("a", 0): 0.6, ("b", 0): 0.1, ("b", 1): 0.9, ("c", 0): None}
    result = scenario_paired_test(baseline, variant, min_scenarios=2)
    assert result.n == 2  # a (seed 0 only) and b (seed 0 only); c has no value in the variant
    assert abs(result.effect - 0.0) < 1e-12  # (+0.1 - 0.1) / 2

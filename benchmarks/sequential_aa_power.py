"""Benchmark: error rates of the sequential decision when an experiment is watched as it runs.

(a) A/A: identical arms, ten looks per experiment. The share of experiments in which any
    look says winner or loser is the false-positive rate; `decide` must stay at or below
    alpha. For contrast, the same data go through a fixed-horizon paired t-test at each look,
    which is what "peeking" at a classic test does.
(b) Power: a true effect of 0.3 standard deviations of the paired differences, watched up to
    the size `plan_sample_size` gives for it; the share of experiments that find it (as a
    winner) must be at least the planned 80%.

Run: .venv/bin/python benchmarks/sequential_aa_power.py
Writes benchmarks/results/sequential_stats.md.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from selflearn.agents.teacher.stats import decide, plan_sample_size

ALPHA = 0.05
EXPERIMENTS = 1000
LOOKS = 10
EFFECT_SD = 0.3
RESULTS = Path(__file__).parent / "results" / "sequential_stats.md"

Arms = tuple[NDArray[np.float64], NDArray[np.float64]]


def continuous_arms(rng: np.random.Generator, n: int, effect_sd: float) -> Arms:
    """Return paired scores: a shared episode difficulty plus independent noise per arm."""
    episode = rng.normal(0.6, 0.15, size=(EXPERIMENTS, n))
    noise_sd = 0.1
    shift = effect_sd * noise_sd * math.sqrt(2.0)  # the differences have SD noise_sd * sqrt(2)
    baseline = episode + rng.normal(0.0, noise_sd, size=(EXPERIMENTS, n))
    variant = episode + shift + rng.normal(0.0, noise_sd, size=(EXPERIMENTS, n))
    return baseline, variant


def binary_arms(rng: np.random.Generator, n: int) -> Arms:
    """Return paired 0/1 outcomes (a retrieval hit) with the same rate in both arms."""
    easy = rng.uniform(0.3, 0.95, size=(EXPERIMENTS, n))  # per-episode hit probability
    baseline = (rng.uniform(size=(EXPERIMENTS, n)) < easy).astype(np.float64)
    variant = (rng.uniform(size=(EXPERIMENTS, n)) < easy).astype(np.float64)
    return baseline, variant


def look_points(n: int) -> list[int]:
    """Return LOOKS evenly spaced sample sizes ending at n."""
    return [round(n * (i + 1) / LOOKS) for i in range(LOOKS)]


def sequential_rate(
    arms: Arms, n: int, planned_n: int, wanted: Callable[[str], bool]
) -> tuple[float, float]:
    """Return the share of experiments where some look's verdict is ``wanted``, and the
    median number of pairs at the look that decided them."""
    baseline, variant = arms
    decided_at = []
    for row in range(EXPERIMENTS):
        for k in look_points(n):
            verdict = decide(baseline[row, :k], variant[row, :k], planned_n=planned_n).verdict
            if verdict != "inconclusive":
                if wanted(verdict):
                    decided_at.append(k)
                break
    median = float(np.median(decided_at)) if decided_at else math.nan
    return len(decided_at) / EXPERIMENTS, median


def naive_rate(arms: Arms, n: int) -> float:
    """Return the share of experiments where a paired t-test at some look has p < alpha."""
    baseline, variant = arms
    rejected = np.zeros(EXPERIMENTS, dtype=bool)
    for k in look_points(n):
        result = stats.ttest_rel(variant[:, :k], baseline[:, :k], axis=1)
        rejected |= np.asarray(result.pvalue) < ALPHA
    return float(rejected.mean())


def fixed_horizon_n(effect_sd: float, power: float = 0.8) -> int:
    """Return the pairs a single paired t-test at the end would need (for comparison)."""
    n = 2
    while True:
        t_crit = stats.t.ppf(1 - ALPHA / 2, n - 1)
        if stats.nct.sf(t_crit, n - 1, effect_sd * math.sqrt(n)) >= power:
            return n
        n += 1


def main() -> int:
    started = time.perf_counter()
    planned = plan_sample_size(EFFECT_SD, alpha=ALPHA, power=0.8)

    aa = continuous_arms(np.random.default_rng(20240601), planned, 0.0)
    aa_seq, _ = sequential_rate(aa, planned, planned, lambda v: True)
    aa_naive = naive_rate(aa, planned)
    aa_bin = binary_arms(np.random.default_rng(20240602), planned)
    bin_seq, _ = sequential_rate(aa_bin, planned, planned, lambda v: True)
    bin_naive = naive_rate(aa_bin, planned)

    effect = continuous_arms(np.random.default_rng(20240603), planned, EFFECT_SD)
    power_seq, stop_median = sequential_rate(effect, planned, planned, lambda v: v == "winner")
    power_naive = naive_rate(effect, planned)
    elapsed = time.perf_counter() - started

    sizes = [(d, plan_sample_size(d), fixed_horizon_n(d)) for d in (0.1, 0.2, 0.3, 0.5, 0.8)]
    table = "\n".join(
        [
            "| check | data | `decide` (sequential) | paired t-test at every look |",
            "|---|---|---:|---:|",
            f"| A/A false-positive rate | normal scores | {aa_seq:.3f} | {aa_naive:.3f} |",
            f"| A/A false-positive rate | 0/1 hits | {bin_seq:.3f} | {bin_naive:.3f} |",
            f"| power, effect {EFFECT_SD} SD | normal scores | {power_seq:.3f} "
            f"| ({power_naive:.3f}, not a valid test) |",
            f"| median pairs when found | normal scores | {stop_median:.0f} of {planned} | |",
        ]
    )
    plan = "\n".join(
        ["| effect (SD) | `plan_sample_size` | one fixed-horizon t-test |", "|---:|---:|---:|"]
        + [f"| {d} | {seq} | {fixed} |" for d, seq, fixed in sizes]
    )
    print(f"planned size for {EFFECT_SD} SD at 80% power: {planned} pairs")
    print(table)
    print(plan)
    print(f"{elapsed:.1f} s")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "# Sequential decision: false positives and power\n\n"
        "Produced by `.venv/bin/python benchmarks/sequential_aa_power.py` "
        f"({elapsed:.0f} s). {EXPERIMENTS} simulated experiments per row, {LOOKS} evenly "
        f"spaced looks up to {planned} pairs (the planned size for {EFFECT_SD} SD at 80% "
        f"power, which is also `planned_n` for `decide`); alpha = {ALPHA}. An experiment "
        "counts once if any look declares a winner or a loser (power: a winner).\n\n"
        f"{table}\n\n"
        "Normal scores: per-episode quality shared by both arms plus independent noise. "
        "0/1 hits: a per-episode hit probability shared by both arms, outcomes drawn "
        "independently (a discrete metric, outside the normal model the test assumes).\n\n"
        "## Sample sizes (paired episodes, 80% power)\n\n"
        "Always-valid inference costs sample size; this is what it costs here.\n\n"
        f"{plan}\n"
    )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

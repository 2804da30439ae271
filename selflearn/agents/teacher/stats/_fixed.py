"""One look at a fixed set of pairs: the paired t-test, for comparisons analysed only once.

The sequential test (`decide`) pays for the freedom to look after every episode with wider
intervals. A check that is run once on a sample fixed in advance, such as the campaign's
held-out comparison of the version it started from and the one it ends on, does not need
that freedom, so it uses the classical paired t-test and its interval, which are exact for
normal differences and close for the bounded per-episode rates here once there are a dozen
pairs. Pairs that are identical in both arms count as zero differences. The unit of a pair
should be what varies independently: `scenario_paired_test` first averages the episodes of
each scenario, so that seeds of a deterministic system do not pass for independent samples.

`one_look` is what every one-look test shares (pairing, too few pairs, no spread, verdict);
a test gives it only its p-value and interval (`fixed_paired_test` here, the sign-flip
permutation test in `_permutation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import stats

from selflearn.agents.teacher.stats._decision import Verdict
from selflearn.agents.teacher.stats._json import JsonFloat
from selflearn.agents.teacher.stats._wording import interval, signed

__all__ = ["Estimate", "FixedComparison", "fixed_paired_test", "one_look"]

#: A test's answer for paired differences with spread `sd` at `alpha`: (low, high, p-value).
Estimate = Callable[[np.ndarray, float, float], tuple[float, float, float]]


class FixedComparison(BaseModel):
    """A paired comparison analysed once: effect, interval, p-value and verdict."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    effect: JsonFloat
    """Mean of ``variant - baseline``."""
    ci_low: JsonFloat
    ci_high: JsonFloat
    p_value: float
    n: int
    sd: JsonFloat
    alpha: float
    higher_is_better: bool
    method: str = "paired t-test"
    reason: str


def _paired_differences(baseline: Sequence[float], variant: Sequence[float]) -> np.ndarray:
    """Return ``variant - baseline`` per pair, pairs with a missing value left out."""
    if len(baseline) != len(variant):
        raise ValueError(
            f"unequal lengths: {len(baseline)} baseline and {len(variant)} variant values; "
            "a paired test needs one value per arm for every episode"
        )
    diffs = np.asarray(variant, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    return diffs[~np.isnan(diffs)]


def _spread(diffs: np.ndarray) -> float:
    """Return the sample standard deviation of the differences (0 for rounding noise)."""
    n = int(diffs.size)
    effect = float(diffs.mean()) if n else math.nan
    sd = float(diffs.std(ddof=1)) if n > 1 else math.nan
    if n > 1 and sd <= 1e-12 * max(1.0, abs(effect)):
        sd = 0.0  # rounding noise of equal differences, not spread
    return sd


def _undecidable(diffs: np.ndarray, sd: float, min_n: int) -> tuple[float, float, str] | None:
    """Return the (low, high, note) of a comparison that cannot decide, or None if it can.

    Too few pairs, or no spread to estimate an error from: nothing is decided. Arms that
    agree on every pair differ by exactly zero; a shift shared by every pair says nothing
    about how much it varies where nobody looked.
    """
    n = int(diffs.size)
    if n >= max(2, min_n) and sd != 0.0:
        return None
    effect = float(diffs.mean()) if n else math.nan
    identical = n >= 2 and sd == 0.0 and effect == 0.0
    low, high = (0.0, 0.0) if identical else (-math.inf, math.inf)
    if n < max(2, min_n):
        return low, high, f"; {n} pairs, at least {max(2, min_n)} are needed"
    if not identical:
        return low, high, "; every pair moved by the same amount, so the error cannot be estimated"
    return low, high, ""


def _comparison(
    diffs: np.ndarray,
    *,
    sd: float,
    low: float,
    high: float,
    p_value: float,
    alpha: float,
    higher_is_better: bool,
    method: str,
    note: str = "",
) -> FixedComparison:
    """Return the comparison of these differences: a verdict only where p <= alpha."""
    n = int(diffs.size)
    effect = float(diffs.mean()) if n else math.nan
    verdict: Verdict = "inconclusive"
    if p_value <= alpha and effect != 0.0:
        verdict = "winner" if (effect > 0) == higher_is_better else "loser"
    summary = f"mean difference {signed(effect)} ({interval(low, high, 1 - alpha)})"
    return FixedComparison(
        verdict=verdict,
        effect=effect,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        n=n,
        sd=sd,
        alpha=alpha,
        higher_is_better=higher_is_better,
        method=method,
        reason=f"{summary}, p = {p_value:.3g} over {n} pairs ({verdict}){note}",
    )


def one_look(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    estimate: Estimate,
    method: str,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    min_n: int = 2,
) -> FixedComparison:
    """Compare paired observations once with the test whose p-value `estimate` gives.

    Fewer than ``min_n`` usable pairs, or pairs that all differ by the same amount (zero
    variance), give an inconclusive verdict with p = 1, never a decision.
    """
    diffs = _paired_differences(baseline, variant)
    sd = _spread(diffs)
    blocked = _undecidable(diffs, sd, min_n)
    if blocked is not None:
        low, high, note = blocked
        p_value = 1.0
    else:
        (low, high, p_value), note = estimate(diffs, sd, alpha), ""
    return _comparison(
        diffs,
        sd=sd,
        low=low,
        high=high,
        p_value=p_value,
        alpha=alpha,
        higher_is_better=higher_is_better,
        method=method,
        note=note,
    )


def _t_estimate(diffs: np.ndarray, sd: float, alpha: float) -> tuple[float, float, float]:
    n, effect = int(diffs.size), float(diffs.mean())
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
    p_value = float(2 * stats.t.sf(abs(effect) / (sd / math.sqrt(n)), n - 1))
    return effect - half, effect + half, p_value


def fixed_paired_test(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    min_n: int = 2,
) -> FixedComparison:
    """Compare paired observations once with the two-sided paired t-test at ``alpha``.

    Fewer than ``min_n`` usable pairs, or pairs that all differ by the same amount (zero
    variance), give an inconclusive verdict with p = 1, never a decision.
    """
    return one_look(
        baseline,
        variant,
        estimate=_t_estimate,
        method="paired t-test",
        higher_is_better=higher_is_better,
        alpha=alpha,
        min_n=min_n,
    )

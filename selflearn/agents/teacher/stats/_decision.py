"""One metric, one variant against the baseline: the sequential paired decision."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from selflearn.agents.teacher.stats._json import JsonFloat
from selflearn.agents.teacher.stats._mixture import (
    anytime_p_values,
    confidence_bounds,
    mixture_variance,
    prefix_path,
)
from selflearn.agents.teacher.stats._power import extra_pairs
from selflearn.agents.teacher.stats._wording import interval, signed

#: The sample size the test is tuned for when the caller has no plan (see `mixture_variance`).
DEFAULT_PLANNED_N = 100

Verdict = Literal["winner", "loser", "inconclusive"]


class Decision(BaseModel):
    """The state of a paired comparison after the observations so far."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    effect: JsonFloat
    """Mean of ``variant - baseline`` over the usable pairs (NaN when there are none)."""
    ci_low: JsonFloat
    ci_high: JsonFloat
    """Confidence-sequence interval for ``effect``: covers it at every look with 1 - alpha."""
    p_value: float
    """Anytime-valid p-value for "no difference" at this look (1 / the Bayes factor now)."""
    n: int
    """Usable pairs (both values present)."""
    extra_needed: int | None
    """For inconclusive: more pairs that would find the observed effect with the target power;
    None when decided, or when no practical number would do (no observed difference)."""
    sd: JsonFloat
    """Standard deviation of the paired differences."""
    n_dropped: int
    """Pairs left out because one of their values was NaN."""
    higher_is_better: bool
    alpha: float
    planned_n: int
    mixture_variance: float
    reason: str


def _paired_differences(
    baseline: Sequence[float], variant: Sequence[float]
) -> tuple[NDArray[np.float64], int]:
    base = np.asarray(baseline, dtype=np.float64)
    var = np.asarray(variant, dtype=np.float64)
    if base.ndim != 1 or var.ndim != 1:
        raise ValueError("baseline and variant must be flat sequences of numbers")
    if base.shape != var.shape:
        raise ValueError(
            f"unequal lengths: baseline has {base.size} observations and variant has "
            f"{var.size}; a paired test needs one value per arm for every episode"
        )
    if np.isinf(base).any() or np.isinf(var).any():
        arm = "baseline" if np.isinf(base).any() else "variant"
        position = int(np.flatnonzero(np.isinf(base) | np.isinf(var))[0])
        raise ValueError(f"{arm} has an infinite value at position {position}")
    present = ~(np.isnan(base) | np.isnan(var))
    return var[present] - base[present], int(present.size - present.sum())


def decide(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    planned_n: int = DEFAULT_PLANNED_N,
    power: float = 0.8,
) -> Decision:
    """Decide winner, loser or inconclusive from the paired observations so far.

    ``baseline[i]`` and ``variant[i]`` must come from the same episode (same scenario and
    seed), in arrival order. Call it at every look, as often as wanted: the chance that any
    look on two identical arms says winner or loser stays at most ``alpha``. The test is the
    scale-invariant Gaussian-mixture test of `selflearn.agents.teacher.stats._mixture`, tuned
    to be sharpest at ``planned_n`` pairs (use `plan_sample_size`); ``power`` only sets how
    ``extra_needed`` is estimated. Pairs with a NaN on either side are dropped.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be between 0 and 1, got {power}")
    g = mixture_variance(planned_n, alpha)
    diffs, dropped = _paired_differences(baseline, variant)
    n = int(diffs.size)

    def make(
        verdict: Verdict,
        stats: tuple[float, float, float, float, float],
        extra: int | None,
        reason: str,
    ) -> Decision:
        effect, sd, low, high, p_value = stats
        return Decision(
            verdict=verdict,
            effect=effect,
            ci_low=low,
            ci_high=high,
            p_value=p_value,
            n=n,
            extra_needed=extra,
            sd=sd,
            n_dropped=dropped,
            higher_is_better=higher_is_better,
            alpha=alpha,
            planned_n=planned_n,
            mixture_variance=g,
            reason=reason,
        )

    if n < 2:
        first = float(diffs[0]) if n else math.nan
        return make(
            "inconclusive",
            (first, math.nan, -math.inf, math.inf, 1.0),
            max(planned_n, 2) - n,
            f"only {n} usable pair(s); at least 2 are needed, {planned_n} are planned",
        )

    path = prefix_path(diffs, g, alpha)
    # The evidence of this look, not the best of every earlier prefix: Ville's inequality
    # bounds the chance that any look reaches 1/alpha, so the guarantee holds either way,
    # and pairs that drift (ordered by scenario or conversation) cannot leave a verdict
    # that the data as a whole contradict (a "loser" whose mean difference is positive).
    p_value = float(anytime_p_values(path.log_bf[-1:])[-1])
    low, high = confidence_bounds(path)
    effect, sd = float(path.mean[-1]), float(path.sd[-1])
    stats = (effect, sd, low, high, p_value)
    summary = f"mean difference {signed(effect)} ({interval(low, high, 1 - alpha)})"

    if p_value <= alpha:
        # The side comes from the interval; the mean only breaks the tie when drifting data
        # left an interval that straddles zero.
        sign = 1.0 if low > 0 else -1.0 if high < 0 else math.copysign(1.0, effect)
        better = (sign > 0) == higher_is_better
        return make(
            "winner" if better else "loser",
            stats,
            None,
            f"variant is {'better' if better else 'worse'}: {summary}, "
            f"anytime p = {p_value:.3g} after {n} pairs",
        )

    extra = extra_pairs(effect, sd, n, g=g, alpha=alpha, power=power)
    if extra is not None:
        outlook = (
            f"about {extra} more pairs would find the observed difference "
            f"with {100 * power:g}% power"
        )
    elif sd == 0.0 and effect == 0.0:
        outlook = "every pair so far is identical in both arms"
    else:
        outlook = "the observed difference is too small to settle with any practical number"
    return make(
        "inconclusive",
        stats,
        extra,
        f"no decision after {n} pairs: {summary}, anytime p = {p_value:.3g}; {outlook}",
    )

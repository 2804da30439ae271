"""Sample sizes for the sequential paired test.

Power is computed analytically, not by simulation: the test rejects by pair ``n`` at least
whenever the t statistic *at* ``n`` is beyond the mixture boundary, and the chance of that is
a noncentral-t tail probability. Rejections at earlier looks only add to it, so the figure is
a lower bound on the real power and the sample sizes below are slightly conservative.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scipy import special

from selflearn.agents.teacher.stats._mixture import critical_t, mixture_variance

#: Sample sizes above this are reported as "not reachable".
MAX_PAIRS = 10_000_000


def final_look_power(effect_size_sd: float, n: int, g: float, alpha: float) -> float:
    """Return the chance that the boundary is crossed at pair ``n`` for a standardised effect."""
    if n < 2:
        return 0.0
    t_crit = critical_t(n, g, alpha)
    if math.isinf(t_crit):
        return 0.0
    nu = n - 1
    shift = abs(effect_size_sd) * math.sqrt(n)
    upper = 1.0 - float(special.nctdtr(nu, shift, t_crit))
    lower = float(special.nctdtr(nu, shift, -t_crit))
    # The noncentral-t routine gives up (NaN) far in the tails; the normal limit is exact there.
    if math.isnan(upper):
        upper = float(special.ndtr(shift - t_crit))
    if math.isnan(lower):
        lower = float(special.ndtr(-shift - t_crit))
    return upper + lower


def _smallest_n(reaches: Callable[[int], bool], start: int, limit: int) -> int | None:
    """Return the smallest ``n`` in ``[start, limit]`` with ``reaches(n)``, for monotone tests."""
    if reaches(start):
        return start
    if limit <= start or not reaches(limit):
        return None
    low, high = start, start + 1
    while not reaches(high):  # gallop first: the answer is usually near the start
        low, high = high, min(limit, start + 2 * (high - start))
    while high - low > 1:
        mid = (low + high) // 2
        if reaches(mid):
            high = mid
        else:
            low = mid
    return high


def _power_reached(
    effect_size_sd: float, power: float, alpha: float, g: float | None
) -> Callable[[int], bool]:
    """Return "does ``n`` pairs give ``power``?"; ``g=None`` re-tunes the test for each ``n``."""

    def reaches(n: int) -> bool:
        g_n = g if g is not None else mixture_variance(n, alpha)
        return final_look_power(effect_size_sd, n, g_n, alpha) >= power

    return reaches


def _check_rates(alpha: float, power: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be between 0 and 1, got {power}")


def plan_sample_size(
    effect_size_sd: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    max_n: int = MAX_PAIRS,
) -> int:
    """Return the paired episodes at which the sequential test finds the effect with ``power``.

    ``effect_size_sd`` is the true mean difference in units of the standard deviation of the
    paired differences. The test is assumed to be tuned for the returned size (pass it as
    ``planned_n`` to `decide`); the computation is the analytic lower bound described in the
    module docstring, so simulated power at this size is at or above ``power``.
    """
    _check_rates(alpha, power)
    if not math.isfinite(effect_size_sd) or effect_size_sd == 0:
        raise ValueError(f"effect_size_sd must be a finite, non-zero number, got {effect_size_sd}")
    found = _smallest_n(_power_reached(effect_size_sd, power, alpha, None), 2, max_n)
    if found is None:
        raise ValueError(
            f"an effect of {effect_size_sd} SD needs more than {max_n} pairs at power {power}"
        )
    return found


def required_pairs(
    effect_size_sd: float,
    *,
    g: float,
    alpha: float,
    power: float,
    start: int,
    max_n: int = MAX_PAIRS,
) -> int | None:
    """Return the total pairs a test with fixed mixture variance ``g`` needs, or None if too many.

    Unlike `plan_sample_size`, the tuning is already fixed (the experiment is running), so
    only the sample size moves.
    """
    _check_rates(alpha, power)
    if not math.isfinite(effect_size_sd) or effect_size_sd == 0:
        return None
    return _smallest_n(_power_reached(effect_size_sd, power, alpha, g), max(start, 2), max_n)


def pairs_for_constant_difference(*, g: float, alpha: float, start: int) -> int | None:
    """Return the pairs after which identical non-zero differences cross the boundary.

    With zero spread the t statistic is infinite and ``BF_n`` is ``(1 + n g) ** ((n - 1) / 2)``.
    """
    target = math.log(1.0 / alpha)

    def reaches(n: int) -> bool:
        return 0.5 * (n - 1) * math.log1p(n * g) >= target

    return _smallest_n(reaches, max(start, 2), MAX_PAIRS)


def extra_pairs(
    distance: float, sd: float, n: int, *, g: float, alpha: float, power: float
) -> int | None:
    """Return how many more pairs would settle a test whose estimate is ``distance`` from its null.

    ``distance`` is the observed mean difference minus the value being tested against (0 for
    "no difference", the margin for a guardrail) and ``sd`` the spread of the differences. The
    observed distance is taken as the truth. None means no practical number would do.
    """
    if sd == 0.0:
        if distance == 0.0:
            return None
        total = pairs_for_constant_difference(g=g, alpha=alpha, start=n + 1)
    else:
        total = required_pairs(abs(distance) / sd, g=g, alpha=alpha, power=power, start=n + 1)
    return None if total is None else total - n

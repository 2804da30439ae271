"""Scale-invariant Gaussian-mixture test martingale for a paired mean difference.

The model: paired differences ``d_i = variant_i - baseline_i`` are independent normal draws
with unknown mean ``mu`` and unknown standard deviation ``sigma``. To test ``mu = mu0`` the
likelihood ratio is mixed over the standardised effect ``delta = (mu - mu0) / sigma`` with a
normal prior ``N(0, g)``, and over ``sigma`` with the scale-invariant prior ``1 / sigma``
under both hypotheses. That mixture has a closed form in the one-sample t statistic of the
first ``n`` differences (the fixed-``g`` case of the JZS Bayes factor)::

    BF_n = (1 + n g) ** -0.5 * ((1 + t**2 / nu) / (1 + t**2 / (nu * (1 + n g)))) ** (n / 2)

with ``nu = n - 1``. Because the prior on ``sigma`` is the right Haar measure of the scale
group, ``BF_n`` is a nonnegative martingale with mean one under the null (with respect to
the scale-invariant information), so by Ville's inequality the chance that it *ever* reaches
``1 / alpha`` is at most ``alpha``. This holds however often, and whenever, the data are
looked at; it needs no asymptotics, so it is exact from two pairs on.

Consequences used by the rest of the package:

* anytime p-value: ``p_n = min(1, 1 / max_{k <= n} BF_k)``;
* confidence sequence: ``{mu0 : BF_k(mu0) < 1 / alpha}`` is ``mean_k +- t*_k s_k / sqrt(k)``
  for a closed-form critical value ``t*_k``; intersecting over ``k`` keeps it valid.

The one tuning parameter is the mixture variance ``g``: the boundary is tightest when ``n g``
equals ``x*``, the root of ``x = 2 log(1 / alpha) + log(1 + x)`` (about 8.2 for alpha = 0.05),
so ``g = x* / planned_n`` makes the test sharpest around the planned sample size while
staying valid at every other size.

Every function here works on the last axis of an array, so a batch of experiments is one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def optimal_mixing_size(alpha: float) -> float:
    """Return ``x*``, the value of ``n * g`` that makes the boundary tightest at ``n``."""
    base = 2.0 * math.log(1.0 / alpha)
    x = base
    for _ in range(100):  # a contraction with slope 1 / (1 + x) < 0.2: converges fast
        x_next = base + math.log1p(x)
        if abs(x_next - x) < 1e-12:
            break
        x = x_next
    return x


def mixture_variance(planned_n: int, alpha: float) -> float:
    """Return the prior variance ``g`` of the standardised effect tuned for ``planned_n`` pairs."""
    if planned_n < 2:
        raise ValueError(f"planned_n must be at least 2, got {planned_n}")
    return optimal_mixing_size(alpha) / planned_n


def log_bayes_factor(a: FloatArray, n: FloatArray, g: float) -> FloatArray:
    """Return ``log BF_n`` given ``a = t**2 / nu``; ``a = inf`` (constant data) is the limit."""
    c = 1.0 + n * g
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_ratio = np.where(np.isinf(a), np.log(c), np.log1p(a) - np.log1p(a / c))
    return -0.5 * np.log(c) + 0.5 * n * log_ratio


def critical_a(n: FloatArray, g: float, alpha: float) -> FloatArray:
    """Return the ``a = t**2 / nu`` at which ``BF_n`` reaches ``1 / alpha`` (inf if never)."""
    c = 1.0 + n * g
    # Solve c**-0.5 * ((1 + a) / (1 + a / c)) ** (n / 2) = 1 / alpha for a.
    k = np.exp((np.log(c) + 2.0 * math.log(1.0 / alpha)) / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = (k - 1.0) / (1.0 - k / c)
    # The factor is bounded by c ** ((n - 1) / 2); when that is below 1 / alpha, k >= c.
    return np.where(k < c, a, np.inf)


def critical_t(n: int, g: float, alpha: float) -> float:
    """Return the ``|t|`` at which ``BF_n`` reaches ``1 / alpha`` (inf if never); scalar form."""
    c = 1.0 + n * g
    k = math.exp((math.log(c) + 2.0 * math.log(1.0 / alpha)) / n)
    if n < 2 or k >= c:
        return math.inf
    return math.sqrt((n - 1) * (k - 1.0) / (1.0 - k / c))


@dataclass(frozen=True)
class PrefixPath:
    """Statistics of every prefix ``d_1..d_k`` of the differences (last axis = k - 1)."""

    n: FloatArray
    mean: FloatArray
    sd: FloatArray
    degenerate: NDArray[np.bool_]
    log_bf: FloatArray
    half_width: FloatArray


def prefix_path(diffs: FloatArray, g: float, alpha: float, mu0: float = 0.0) -> PrefixPath:
    """Return mean, sd, ``log BF`` against ``mu0`` and interval half-width for every prefix.

    Prefixes shorter than two pairs carry no information: their ``log BF`` is ``-inf`` and
    their half-width is infinite. A prefix whose values are all equal is ``degenerate``: its
    sample standard deviation is exactly zero.
    """
    x = np.asarray(diffs, dtype=np.float64)
    length = x.shape[-1]
    n = np.arange(1, length + 1, dtype=np.float64)
    first = x[..., :1]
    # Centre on the first value before accumulating, which keeps the running variance
    # accurate when the mean is large compared with the spread.
    y = x - first
    cum = np.cumsum(y, axis=-1)
    cum_sq = np.cumsum(y * y, axis=-1)
    mean_y = cum / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (cum_sq - n * mean_y * mean_y) / (n - 1.0)
    degenerate = np.logical_and.accumulate(x == first, axis=-1)
    var = np.where(degenerate | (n < 2), 0.0, np.maximum(var, np.finfo(np.float64).tiny))
    mean = mean_y + first
    sd = np.sqrt(var)

    shift = mean - mu0
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(
            var > 0, n * shift * shift / (var * (n - 1.0)), np.where(shift != 0, np.inf, 0)
        )
    usable = n >= 2
    log_bf = np.where(usable, log_bayes_factor(a, n, g), -np.inf)

    a_star = critical_a(n, g, alpha)
    with np.errstate(invalid="ignore"):
        half = np.sqrt(a_star * (n - 1.0)) * sd / np.sqrt(n)
    # inf * 0 (no finite boundary yet, constant data) is still "no bound".
    half = np.where(np.isinf(a_star) | ~usable, np.inf, half)
    return PrefixPath(n=n, mean=mean, sd=sd, degenerate=degenerate, log_bf=log_bf, half_width=half)


def anytime_p_values(log_bf: FloatArray) -> FloatArray:
    """Return the anytime p-value after each prefix: ``min(1, 1 / running max of BF)``."""
    running = np.maximum.accumulate(log_bf, axis=-1)
    return np.exp(-np.maximum(running, 0.0))


def confidence_bounds(path: PrefixPath) -> tuple[float, float]:
    """Return the confidence-sequence interval after the last prefix of a 1-D path.

    The interval is the running intersection of the per-prefix intervals. Prefixes with
    constant data are left out: their zero spread would collapse the interval to a point that
    any later variation contradicts. If nothing else is left, or the data have drifted so far
    that the intersection is empty or no longer holds the latest mean, the latest prefix's
    own interval is returned.
    """
    lows = path.mean - path.half_width
    highs = path.mean + path.half_width
    keep = ~path.degenerate & (path.n >= 2)
    last_low, last_high = float(lows[-1]), float(highs[-1])
    if not keep.any():
        return last_low, last_high
    low, high = float(np.max(lows[keep])), float(np.min(highs[keep]))
    mean = float(path.mean[-1])
    if low > high or not low <= mean <= high:
        # Data that drift (questions ordered by conversation, say) can leave an intersection
        # that excludes the mean itself: report the latest prefix's own interval instead.
        return last_low, last_high
    return low, high

"""The paired sign-flip permutation test: exact where the t-test is only approximate.

When both arms are measured on the same units (scenarios), "the change does nothing" means
each unit's two values are exchangeable: every difference is as likely with either sign. The
test compares the observed |mean difference| with its value under every sign pattern (all
2^n of them up to `EXACT_MAX_N` units, else `DRAWS` seeded random ones, the observed pattern
counted once), so its false-positive rate is at most alpha whatever the differences'
distribution. The paired t-test assumes a near-normal mean, which 30 scenario means of
mostly zero, bounded differences are not (`benchmarks/results/aa_scenario.md`).

The interval is the test inverted: every shift d for which the differences minus d are not
rejected at alpha, so the interval excludes zero exactly when the test decides. It assumes
the change shifts every scenario alike; when most scenarios score exactly the same in both
arms, a shift would move all of them, so the interval can end close to zero on one side
while the p-value, which does not assume a shift, stays large. The verdict rests on the
p-value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from selflearn.agents.teacher.stats._fixed import FixedComparison, one_look

__all__ = ["DRAWS", "EXACT_MAX_N", "permutation_paired_test", "sign_flip_p_value"]

#: Up to this many pairs every sign pattern is enumerated (2^16 = 65,536 patterns).
EXACT_MAX_N = 16
#: Random sign patterns drawn for more pairs (seeded: the same data, the same p-value).
DRAWS = 20_000
_SEED = 20_240_601
_BISECTIONS = 60

METHOD = "paired sign-flip permutation test"


@lru_cache(maxsize=64)
def _signs(n: int) -> tuple[np.ndarray, bool]:
    """Return the sign patterns for n pairs and whether they are all of them."""
    if n <= EXACT_MAX_N:
        patterns = np.array(list(itertools.product((1.0, -1.0), repeat=n)), dtype=np.float64)
        return patterns, True
    rng = np.random.default_rng(_SEED + n)
    return rng.choice(np.array([1.0, -1.0]), size=(DRAWS, n)), False


class _Flips:
    """The permutation distribution of one set of differences, for any shift of them."""

    def __init__(self, diffs: np.ndarray) -> None:
        signs, self.exact = _signs(int(diffs.size))
        self.n = int(diffs.size)
        self.diffs = diffs
        # |mean(s * (d - shift))| = |s.d - shift * sum(s)| / n for every pattern s.
        self._dot = signs @ diffs
        self._sum = signs.sum(axis=1)

    def p_value(self, shift: float = 0.0) -> float:
        observed = abs(float(self.diffs.sum()) - shift * self.n)
        flipped = np.abs(self._dot - shift * self._sum)
        tolerance = 1e-9 * max(1.0, observed)
        at_least = int(np.count_nonzero(flipped >= observed - tolerance))
        if self.exact:
            return at_least / flipped.size
        return (1 + at_least) / (flipped.size + 1)

    def bound(self, alpha: float, *, upper: bool) -> float:
        """Return the interval's end: where the p-value of the shifted test crosses alpha."""
        centre = float(self.diffs.mean())
        width = float(self.diffs.max() - self.diffs.min()) + abs(centre) + 1.0
        inside, outside = centre, centre + width if upper else centre - width
        if self.p_value(outside) > alpha:
            return math.inf if upper else -math.inf  # too few pairs to exclude anything
        for _ in range(_BISECTIONS):
            middle = (inside + outside) / 2
            if self.p_value(middle) > alpha:
                inside = middle
            else:
                outside = middle
        return inside


def _estimate(diffs: np.ndarray, sd: float, alpha: float) -> tuple[float, float, float]:
    flips = _Flips(diffs)
    return flips.bound(alpha, upper=False), flips.bound(alpha, upper=True), flips.p_value()


def sign_flip_p_value(diffs: Sequence[float]) -> float:
    """Return the two-sided sign-flip p-value of paired differences (no missing values)."""
    return _Flips(np.asarray(diffs, dtype=np.float64)).p_value()


def permutation_paired_test(
    baseline: Sequence[float],
    variant: Sequence[float],
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    min_n: int = 2,
) -> FixedComparison:
    """Compare paired observations once with the sign-flip permutation test at ``alpha``.

    Fewer than ``min_n`` usable pairs, or pairs that all differ by the same amount, give an
    inconclusive verdict with p = 1, as in `fixed_paired_test`.
    """
    return one_look(
        baseline,
        variant,
        estimate=_estimate,
        method=METHOD,
        higher_is_better=higher_is_better,
        alpha=alpha,
        min_n=min_n,
    )

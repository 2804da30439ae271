"""The paired effect of the bench: one difference per user, a t interval over users."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class PairedEffect:
    """Mean per-user difference with its confidence interval and two-sided p-value."""

    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int

    @property
    def significant(self) -> bool:
        """Return whether the interval excludes zero."""
        return self.ci_low > 0 or self.ci_high < 0


def paired_effect(differences: Sequence[float], *, level: float = 0.95) -> PairedEffect:
    """Return the t interval of the mean of per-user differences (users are the unit)."""
    n = len(differences)
    if n < 2:
        raise ValueError("a paired effect needs at least two users")
    mean = sum(differences) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
    se = sd / math.sqrt(n)
    if se == 0:
        return PairedEffect(mean, mean, mean, 0.0 if mean else 1.0, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    p_value = float(2 * stats.t.sf(abs(mean / se), n - 1))
    return PairedEffect(mean, mean - half, mean + half, p_value, n)

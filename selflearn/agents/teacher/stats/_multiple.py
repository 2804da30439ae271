"""Multiple-testing correction of anytime p-values across metrics and variants.

Anytime-valid p-values are valid p-values at whatever moment they are read, so the classic
corrections apply to them unchanged: Holm and Bonferroni control the family-wise error rate
under any dependence; Benjamini-Hochberg controls the false discovery rate for independent or
positively dependent tests, and Benjamini-Yekutieli under any dependence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

Correction = Literal["holm", "bonferroni", "bh", "by"]
CORRECTIONS: tuple[Correction, ...] = ("holm", "bonferroni", "bh", "by")


def adjust_pvalues(pvalues: Sequence[float], method: Correction = "holm") -> list[float]:
    """Return adjusted p-values in input order; compare each with the family's alpha."""
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}; choose one of {', '.join(CORRECTIONS)}")
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError("pvalues must be a flat sequence of numbers")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("every p-value must be a number between 0 and 1")
    m = p.size
    if m == 0:
        return []
    if method == "bonferroni":
        return [float(x) for x in np.minimum(1.0, p * m)]

    order = np.argsort(p, kind="stable")
    ranked = p[order]
    rank = np.arange(1, m + 1, dtype=np.float64)
    if method == "holm":
        # Step down: the i-th smallest is compared with alpha / (m - i + 1); keep monotone.
        stepped = np.maximum.accumulate((m - rank + 1) * ranked)
    else:
        # Step up from the largest: p_(i) * m / i, with the BY harmonic factor if asked.
        factor = sum(1.0 / k for k in range(1, m + 1)) if method == "by" else 1.0
        stepped = np.minimum.accumulate((ranked * m * factor / rank)[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, stepped)
    return [float(x) if math.isfinite(x) else 1.0 for x in adjusted]

"""Pair the arms of a comparison by what varies independently: the one pairing function.

The key of a pair is whatever every arm measured under the same conditions: an episode's
(scenario, seed), a pair's arrival order, a benchmark question. Only keys every arm has
enter the comparison; a value an arm could not measure (None) stays in place as NaN, and the
tests drop it pair by pair.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

__all__ = ["align_pairs"]

K = TypeVar("K", bound=Hashable)


def align_pairs(arms: Mapping[str, Mapping[K, Any]]) -> tuple[list[K], dict[str, list[float]]]:
    """Return the keys every arm has, sorted, and each arm's values on them in that order."""
    if not arms:
        return [], {}
    shared = set.intersection(*(set(values) for values in arms.values()))
    keys: list[K] = sorted(shared)  # type: ignore[type-var]
    return keys, {arm: [_number(values[key]) for key in keys] for arm, values in arms.items()}


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)

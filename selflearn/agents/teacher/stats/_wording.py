"""How numbers and intervals read in the plain-language reasons."""

from __future__ import annotations

import math


def signed(value: float) -> str:
    """Return ``value`` with its sign and four significant digits (``+0.0421``)."""
    return f"{value:+.4g}"


def interval(low: float, high: float, confidence: float) -> str:
    """Return ``"95% interval -0.01 to +0.08"``, or say that it is still unbounded."""
    level = f"{100 * confidence:.3g}%"
    if math.isinf(low) and math.isinf(high):
        return f"the {level} interval is still unbounded"
    return f"{level} interval {signed(low)} to {signed(high)}"

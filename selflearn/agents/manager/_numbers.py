"""Numbers with units in the owner's words, turned into each metric's own unit.

Rates (recall, hallucination_rate, ...) are fractions: "3 %", "3 percent", "3 pts" and a
bare "3" (any bare number above 1) all mean 0.03; a bare "0.8" means 0.8. Latency is in
ms ("50 ms", "0.2 s"); cost in USD ("$0.002", "0.2 cents"); tokens as counts. A change
"by N %" is relative to the baseline; "by N pts" is absolute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selflearn.agents.manager._catalog import METRICS

NUMBER = (
    r"(?P<dollar>\$)?\s*(?P<num>\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>%|percent\b|pts?\b|points?\b|ms\b|milliseconds?\b|seconds?\b|secs?\b|s\b"
    r"|usd\b|dollars?\b|cents?\b|tokens?\b)?"
)
LOWER_OPS = ("below", "under", "less than", "at most", "no more than", "<=", "<")
UPPER_OPS = ("above", "over", "more than", "at least", "no less than", ">=", ">")
TO_OPS = ("to", "up to", "down to")
_OPS = sorted((*LOWER_OPS, *UPPER_OPS, *TO_OPS), key=len, reverse=True)
LEVEL = re.compile(rf"(?<![\w])(?P<op>{'|'.join(re.escape(op) for op in _OPS)})\s*{NUMBER}")
CHANGE = re.compile(rf"\bby\s+(?:at most\s+|up to\s+)?{NUMBER}")
MARGIN = re.compile(rf"\b(?:more than|over|at most)\s+{NUMBER}")


class ParseProblem(ValueError):
    """A part of the owner's words that cannot be turned into a number safely."""


@dataclass(frozen=True)
class Amount:
    """A number as written: value, unit (normalised) and whether it carried a dollar sign."""

    value: float
    unit: str | None

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Amount:
        """Build from a match of NUMBER."""
        unit = match.group("unit")
        if match.group("dollar"):
            unit = "usd"
        return cls(float(match.group("num")), _normalise_unit(unit))


def _normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    unit = unit.strip()
    for name, spellings in (
        ("%", ("%", "percent")),
        ("pts", ("pt", "pts", "point", "points")),
        ("ms", ("ms", "millisecond", "milliseconds")),
        ("s", ("s", "sec", "secs", "second", "seconds")),
        ("usd", ("usd", "dollar", "dollars")),
        ("cents", ("cent", "cents")),
        ("tokens", ("token", "tokens")),
    ):
        if unit in spellings:
            return name
    return unit


def level(metric: str, amount: Amount) -> float:
    """Return an absolute level of `metric` in its own unit."""
    unit = METRICS[metric].unit
    value, given = amount.value, amount.unit
    if METRICS[metric].fraction and given in (None, "%", "pts"):
        return value / 100 if given is not None or value > 1 else value
    if unit == "ms" and given in (None, "ms", "s"):
        return value * 1000 if given == "s" else value
    if unit == "usd" and given in (None, "usd", "cents"):
        return value / 100 if given == "cents" else value
    if unit == "tokens" and given in (None, "tokens"):
        return value
    raise ParseProblem(f"{value:g} {given} is not a value {metric} can take")


def change(metric: str, amount: Amount) -> tuple[float, bool]:
    """Return (size, relative) of a change "by N": "%" is relative, anything else absolute."""
    if amount.unit == "%":
        return amount.value / 100, True
    if METRICS[metric].fraction and amount.unit == "pts":
        return amount.value / 100, False
    return level(metric, amount), False


def op_direction(op: str) -> str | None:
    """Return "<=" or ">=" for a level operator; None for "to" (the verb decides)."""
    if op in LOWER_OPS:
        return "<="
    if op in UPPER_OPS:
        return ">="
    return None

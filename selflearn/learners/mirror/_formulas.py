"""The seed's formulas (SPEC §10): bucket key, reward and its normalisation."""

from __future__ import annotations

import re
from datetime import datetime

from selflearn.errors import InvalidInputError
from selflearn.learners.mirror._types import FieldState

#: Load (active users) below this is "L", below `LOAD_HIGH` "M", else "H".
LOAD_MEDIUM = 20
LOAD_HIGH = 60
LOAD_BINS: tuple[str, ...] = ("L", "M", "H")
#: The PAD axes in argmax order (a tie goes to the earlier axis).
AXES: tuple[str, ...] = ("P", "A", "D")
#: (post − pre) coherence minus (post − pre) entropy lies in [-2, 2]; halved it lies in [-1, 1].
REWARD_SCALE = 2.0

_KEY = re.compile(r"^(\d{1,2})-([LMH])-([PAD])$")


def load_bin(load: int) -> str:
    """Return "L" for load < 20, "M" for < 60, else "H"."""
    if isinstance(load, bool) or not isinstance(load, int) or load < 0:
        raise InvalidInputError(f"load must be a non-negative integer, not {load!r}")
    return "L" if load < LOAD_MEDIUM else "M" if load < LOAD_HIGH else "H"


def dominant_axis(field: FieldState) -> str:
    """Return the PAD axis with the largest value (argmax of P, A, D)."""
    p, a, d = field.pleasure, field.arousal, field.dominance
    if p >= a and p >= d:
        return "P"
    return "A" if a >= d else "D"


def bucket_key(ts: datetime, load: int, field: FieldState) -> str:
    """Return f"{hour}-{L|M|H}-{P|A|D}": hour of `ts`, load bin, dominant PAD axis."""
    if not isinstance(ts, datetime):
        raise InvalidInputError(f"bucket key: ts must be a datetime, not {ts!r}")
    return f"{ts.hour}-{load_bin(load)}-{dominant_axis(field)}"


def parse_bucket_key(key: str) -> tuple[int, str, str]:
    """Return (hour, load bin, axis) of a bucket key; a malformed key raises InvalidInputError."""
    match = _KEY.match(key) if isinstance(key, str) else None
    if match is None or not 0 <= int(match.group(1)) <= 23:
        raise InvalidInputError(
            f"bucket_key {key!r} does not parse",
            hint='A bucket key is "{hour}-{L|M|H}-{P|A|D}" with hour 0-23, e.g. "14-M-P".',
        )
    return int(match.group(1)), match.group(2), match.group(3)


def reward(pre: FieldState, post: FieldState) -> float:
    """Return the seed's raw reward: (post − pre) coherence minus (post − pre) entropy."""
    return (post.coherence - pre.coherence) - (post.entropy - pre.entropy)


def normalise_reward(raw: float) -> float:
    """Return the raw reward divided by its range's half-width, so that it lies in [-1, 1]."""
    return max(-1.0, min(1.0, raw / REWARD_SCALE))

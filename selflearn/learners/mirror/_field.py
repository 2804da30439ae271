"""The field model (AstroLayer): each user's recent reflections → PAD → the field's aggregates.

A reflection's text is read by a small PAD lexicon and forgotten at once; only each active
user's smoothed (pleasure, arousal, dominance) is kept. The field is computed over the users
who reflected within the active window:

- PAD: the mean of the users' PAD;
- coherence: 1 − rms distance of the users' PAD to their mean / √3 (√3 is the largest rms
  distance possible in [-1, 1]³), so 1 is perfect agreement;
- entropy: the normalised Shannon entropy of the users' soft mood octants (the sign pattern
  of P, A, D, each a logistic of the value), 0 when everyone shares one octant clearly, 1
  when the moods spread evenly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from selflearn.learners.mirror._types import FieldState

_WORD = re.compile(r"[a-z']+")
# (axis, sign) → words; a small transparent lexicon, not a trained model.
_LEXICON: dict[tuple[int, int], frozenset[str]] = {
    (0, 1): frozenset(
        "happy glad good great love thanks thank joy enjoy nice grateful peaceful relaxed "
        "hope hopeful proud wonderful fine better calm excited fun".split()
    ),
    (0, -1): frozenset(
        "sad angry bad hate tired afraid worried anxious upset lonely hurt awful stressed "
        "stress fear annoyed terrible worse miserable frustrated scared".split()
    ),
    (1, 1): frozenset(
        "excited angry anxious afraid urgent nervous thrilled furious panic energetic "
        "worried rush rushing stressed scared can't wait hurry".split()
    ),
    (1, -1): frozenset("calm tired sleepy relaxed bored peaceful quiet slow rest resting".split()),
    (2, 1): frozenset(
        "can will decide decided control confident strong proud sure plan lead must "
        "choose chose ready".split()
    ),
    (2, -1): frozenset(
        "can't cannot helpless lost confused unsure maybe overwhelmed stuck weak powerless "
        "afraid doubt".split()
    ),
}
#: How much of a user's PAD a new reflection replaces.
SMOOTHING = 0.5
#: Steepness of the soft octant membership.
OCTANT_SLOPE = 4.0
_SQRT3 = math.sqrt(3.0)


def text_pad(text: str) -> tuple[float, float, float]:
    """Return the (pleasure, arousal, dominance) a text expresses, each in (-1, 1)."""
    words = _WORD.findall(text.lower())
    values = []
    for axis in range(3):
        up = sum(w in _LEXICON[(axis, 1)] for w in words)
        down = sum(w in _LEXICON[(axis, -1)] for w in words)
        if axis == 1:
            up += text.count("!")
        values.append((up - down) / (up + down + 1))
    return values[0], values[1], values[2]


def field_state(pads: Iterable[tuple[float, float, float]], ts: datetime) -> FieldState:
    """Return the field of a set of users' PAD (empty: coherence 0, entropy 0, PAD 0)."""
    points = list(pads)
    n = len(points)
    if n == 0:
        return FieldState(0.0, 0.0, 0.0, 0.0, 0.0, 0, ts)
    mean = [sum(p[i] for p in points) / n for i in range(3)]
    rms = math.sqrt(sum(sum((p[i] - mean[i]) ** 2 for i in range(3)) for p in points) / n)
    coherence = max(0.0, min(1.0, 1.0 - rms / _SQRT3))
    octants = [0.0] * 8
    for p in points:
        up = [1.0 / (1.0 + math.exp(-OCTANT_SLOPE * v)) for v in p]
        for o in range(8):
            share = 1.0
            for axis in range(3):
                share *= up[axis] if o >> axis & 1 else 1.0 - up[axis]
            octants[o] += share / n
    entropy = -sum(q * math.log(q) for q in octants if q > 0) / math.log(8)
    clip = [max(-1.0, min(1.0, v)) for v in mean]
    return FieldState(coherence, max(0.0, min(1.0, entropy)), clip[0], clip[1], clip[2], n, ts)


class FieldModel(Protocol):
    """Where the hub reads the field: the text model here, a simulated field in benches."""

    def observe(self, user_id: str, pad: tuple[float, float, float], ts: datetime) -> None:
        """Take one user's reflection (already reduced to PAD)."""

    def forget(self, user_id: str) -> None:
        """Drop what is kept of a user."""

    def state(self, ts: datetime) -> FieldState:
        """Return the field at `ts`."""


@dataclass
class _User:
    pad: tuple[float, float, float]
    last: datetime


class ReflectionField:
    """The field of the users' reflections: a smoothed PAD per active user, nothing else."""

    def __init__(self, *, active_window_s: float = 300.0) -> None:
        self.active_window_s = active_window_s
        self._users: dict[str, _User] = {}

    def observe(self, user_id: str, pad: tuple[float, float, float], ts: datetime) -> None:
        """Blend a reflection's PAD into the user's."""
        user = self._users.get(user_id)
        if user is None or (ts - user.last).total_seconds() > self.active_window_s:
            self._users[user_id] = _User(pad, ts)
            return
        blended = tuple(
            (1 - SMOOTHING) * old + SMOOTHING * new for old, new in zip(user.pad, pad, strict=True)
        )
        self._users[user_id] = _User((blended[0], blended[1], blended[2]), max(ts, user.last))

    def forget(self, user_id: str) -> None:
        """Drop a user's PAD (opt-out)."""
        self._users.pop(user_id, None)

    def state(self, ts: datetime) -> FieldState:
        """Return the field of the users active at `ts` (and drop the long-gone)."""
        window = self.active_window_s
        gone = [u for u, s in self._users.items() if (ts - s.last).total_seconds() > window]
        for user_id in gone:
            del self._users[user_id]
        return field_state((s.pad for s in self._users.values()), ts)

"""The mirror loop's values: the field state, an action of the hub, and one feedback."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selflearn.errors import InvalidInputError

#: The tones the feedback hub answers with.
TONES: tuple[str, ...] = ("warm", "cool", "neutral")
#: The intensity of each bin; bins are indexed 0..len-1.
INTENSITY_BINS: tuple[float, ...] = (0.25, 0.5, 0.75)
#: Every (tone, intensity_bin) arm, in a fixed order.
ARMS: tuple[tuple[str, int], ...] = tuple(
    (tone, index) for tone in TONES for index in range(len(INTENSITY_BINS))
)
#: Where a chosen action came from.
SOURCES: tuple[str, ...] = ("greedy", "explore", "fallback", "opted_out")

_UNIT = ("coherence", "entropy")
_SIGNED = ("pleasure", "arousal", "dominance")


@dataclass(frozen=True)
class FieldState:
    """The field (AstroLayer) at one moment: aggregates of the active users, never content.

    coherence and entropy lie in [0, 1]; pleasure, arousal and dominance (PAD) in [-1, 1].
    A malformed state (a value that is not finite or out of range, a naive time) raises
    `InvalidInputError`.
    """

    coherence: float
    entropy: float
    pleasure: float
    arousal: float
    dominance: float
    user_count: int
    ts: datetime

    def __post_init__(self) -> None:
        # The common case, checked fast: floats in range, an int count, an aware time.
        c, e, p, a, d = self.coherence, self.entropy, self.pleasure, self.arousal, self.dominance
        if (
            type(c) is float
            and type(e) is float
            and type(p) is float
            and type(a) is float
            and type(d) is float
            and 0.0 <= c <= 1.0
            and 0.0 <= e <= 1.0
            and -1.0 <= p <= 1.0
            and -1.0 <= a <= 1.0
            and -1.0 <= d <= 1.0
            and type(self.user_count) is int
            and self.user_count >= 0
            and isinstance(self.ts, datetime)
            and self.ts.tzinfo is not None
        ):
            return
        self._check()

    def _check(self) -> None:
        for name in (*_UNIT, *_SIGNED):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(f"field state: {name} must be a number, not {value!r}")
            low = 0.0 if name in _UNIT else -1.0
            if not math.isfinite(value) or not low <= value <= 1.0:
                raise InvalidInputError(
                    f"field state: {name} = {value!r} is outside [{low:g}, 1]",
                    hint="Coherence and entropy lie in [0, 1], pleasure/arousal/dominance "
                    "in [-1, 1].",
                )
        if isinstance(self.user_count, bool) or not isinstance(self.user_count, int):
            raise InvalidInputError(
                f"field state: user_count must be an integer, not {self.user_count!r}"
            )
        if self.user_count < 0:
            raise InvalidInputError(f"field state: user_count = {self.user_count} is negative")
        if not isinstance(self.ts, datetime) or self.ts.tzinfo is None:
            raise InvalidInputError(
                f"field state: ts must be a timezone-aware datetime, not {self.ts!r}"
            )

    @property
    def pad(self) -> tuple[float, float, float]:
        """Return (pleasure, arousal, dominance)."""
        return (self.pleasure, self.arousal, self.dominance)

    def as_dict(self) -> dict[str, Any]:
        """Return the state as a JSON-ready mapping (ts in ISO 8601)."""
        return {
            "coherence": self.coherence,
            "entropy": self.entropy,
            "pleasure": self.pleasure,
            "arousal": self.arousal,
            "dominance": self.dominance,
            "user_count": self.user_count,
            "ts": self.ts.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> FieldState:
        """Return the state of a mapping like `as_dict()`'s; a malformed one raises
        `InvalidInputError`."""
        if not isinstance(data, dict):
            raise InvalidInputError(f"field state: expected an object, not {type(data).__name__}")
        missing = [k for k in (*_UNIT, *_SIGNED, "user_count", "ts") if k not in data]
        if missing:
            raise InvalidInputError(f"field state: missing {', '.join(missing)}")
        ts = data["ts"]
        if isinstance(ts, str):
            try:
                ts = datetime.fromisoformat(ts)
            except ValueError as error:
                raise InvalidInputError(f"field state: ts {ts!r} is not ISO 8601") from error
        return cls(
            coherence=data["coherence"],
            entropy=data["entropy"],
            pleasure=data["pleasure"],
            arousal=data["arousal"],
            dominance=data["dominance"],
            user_count=data["user_count"],
            ts=ts,
        )


@dataclass(frozen=True)
class MirrorAction:
    """What the hub answers with: a tone, an intensity bin (and its intensity), a message."""

    tone: str
    intensity_bin: int
    intensity: float
    message: str

    @property
    def arm(self) -> tuple[str, int]:
        """Return (tone, intensity_bin)."""
        return (self.tone, self.intensity_bin)

    def as_dict(self) -> dict[str, Any]:
        """Return the action as a JSON-ready mapping."""
        return {
            "tone": self.tone,
            "intensity_bin": self.intensity_bin,
            "intensity": self.intensity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Feedback:
    """The hub's answer to one user: the action (None when the user opted out), where it
    came from, its propensity, the field it answered, and whether the episode is logged."""

    user_id: str
    action: MirrorAction | None
    bucket_key: str
    propensity: float
    source: str
    field: FieldState
    logged: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the feedback as a JSON-ready mapping."""
        return {
            "user_id": self.user_id,
            "action": self.action.as_dict() if self.action is not None else None,
            "bucket_key": self.bucket_key,
            "propensity": self.propensity,
            "source": self.source,
            "field": self.field.as_dict(),
            "logged": self.logged,
        }

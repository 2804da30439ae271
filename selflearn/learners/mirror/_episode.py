"""One closed feedback episode: pre-state, action, post-state, and how the action was chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selflearn.learners.mirror._formulas import normalise_reward, reward
from selflearn.learners.mirror._types import INTENSITY_BINS, FieldState


@dataclass(frozen=True)
class Episode:
    """A logged episode: field aggregates only (no user, no text)."""

    ts: datetime
    bucket_key: str
    tone: str
    intensity_bin: int
    propensity: float
    source: str
    covered: bool
    pre: FieldState
    post: FieldState

    @property
    def arm(self) -> tuple[str, int]:
        """Return (tone, intensity_bin)."""
        return (self.tone, self.intensity_bin)

    @property
    def raw_reward(self) -> float:
        """Return (Δcoherence − Δentropy)."""
        return reward(self.pre, self.post)

    @property
    def reward(self) -> float:
        """Return the normalised reward."""
        return normalise_reward(self.raw_reward)

    @property
    def dt_ms(self) -> int:
        """Return the time from the feedback to its post-state, in milliseconds."""
        return round((self.post.ts - self.ts).total_seconds() * 1000)

    def row(self) -> dict[str, Any]:
        """Return the `mirror_events` row."""
        return {
            "ts": self.ts,
            "user_count": self.pre.user_count,
            "tone": self.tone,
            "intensity": INTENSITY_BINS[self.intensity_bin],
            "intensity_bin": self.intensity_bin,
            "pre_coherence": self.pre.coherence,
            "post_coherence": self.post.coherence,
            "pre_entropy": self.pre.entropy,
            "post_entropy": self.post.entropy,
            "pre_pad": list(self.pre.pad),
            "post_pad": list(self.post.pad),
            "dt_ms": self.dt_ms,
            "bucket_key": self.bucket_key,
            "propensity": self.propensity,
            "action_source": self.source,
            "covered": self.covered,
        }

    def as_dict(self) -> dict[str, Any]:
        """Return the episode as a JSON-ready mapping (for listeners)."""
        return {
            "ts": self.ts.isoformat(),
            "bucket_key": self.bucket_key,
            "tone": self.tone,
            "intensity_bin": self.intensity_bin,
            "intensity": INTENSITY_BINS[self.intensity_bin],
            "propensity": self.propensity,
            "source": self.source,
            "pre": self.pre.as_dict(),
            "post": self.post.as_dict(),
            "d_coherence": self.post.coherence - self.pre.coherence,
            "d_entropy": self.post.entropy - self.pre.entropy,
            "reward": self.reward,
            "dt_ms": self.dt_ms,
        }

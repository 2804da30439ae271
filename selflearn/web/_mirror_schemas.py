"""The JSON shapes of the mirror routes (SPEC §10)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

__all__ = [
    "MirrorField",
    "MirrorPolicy",
    "MirrorProfile",
    "MirrorProfileUpdate",
    "MirrorReplay",
    "MirrorStats",
]


class MirrorProfileUpdate(BaseModel):
    """Turn a user's adaptive feedback on or off."""

    model_config = ConfigDict(extra="forbid")
    mirror_enabled: StrictBool = Field(
        description="False: the user is neither steered by the policy nor logged."
    )


class MirrorProfile(BaseModel):
    """A user's mirror setting (on unless the user opted out)."""

    user_id: str
    mirror_enabled: bool


class MirrorPolicy(BaseModel):
    """The policy table's rows, for one bucket or all."""

    model_config = ConfigDict(extra="allow")
    bucket_key: str | None = Field(description="The bucket asked for; null for every bucket.")
    items: list[dict[str, Any]] = Field(
        description="Rows: bucket_key, tone, intensity_bin, reward_avg, n, updated_at."
    )


class MirrorStats(BaseModel):
    """Episodes logged in a window: how many, mean reward, bucket coverage."""

    model_config = ConfigDict(extra="allow")
    n: int
    reward: float | None
    coverage: float | None


class MirrorReplay(BaseModel):
    """What learning now changed in the policy table."""

    model_config = ConfigDict(extra="allow")


class MirrorField(BaseModel):
    """The field (AstroLayer) now: coherence, entropy, PAD, users, and the current bucket."""

    model_config = ConfigDict(extra="allow")
    coherence: float
    entropy: float
    pleasure: float
    arousal: float
    dominance: float
    user_count: int
    bucket_key: str

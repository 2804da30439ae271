"""Memory quality (SPEC §8): score each memory, flag the useless ones, then prune them.

quality_score = used / retrieved × helpful / used. A memory old enough to judge (30 days)
and retrieved often enough for the score to mean something, scoring below 0.1, is flagged;
if a later run (at least the rule's cooldown later) finds it flagged and still below, it is
pruned. A flagged memory whose score recovered is unflagged. The caller applies the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from selflearn.tuner._cooldown import format_duration


class MemoryCounters(Protocol):
    """What the rule reads of a memory (`selflearn.store.models.Memory` has it all)."""

    @property
    def id(self) -> Any: ...
    @property
    def times_retrieved(self) -> int: ...
    @property
    def times_used(self) -> int: ...
    @property
    def times_helpful(self) -> int: ...
    @property
    def flagged(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...


class MemoryQualityPolicy(BaseModel):
    """Thresholds of the memory-quality rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(default=0.1, ge=0, le=1)
    min_age: timedelta = timedelta(days=30)
    min_retrievals: int = Field(default=3, ge=1)
    cooldown: timedelta = timedelta(days=7)


def quality_score(retrieved: int, used: int, helpful: int) -> float | None:
    """Return used/retrieved × helpful/used in [0, 1]; None for a never-retrieved memory."""
    if retrieved <= 0:
        return None
    if used <= 0:
        return 0.0
    usage = min(1.0, used / retrieved)
    helpfulness = min(1.0, max(0, helpful) / used)
    return usage * helpfulness


@dataclass(frozen=True)
class MemoryQualityActions:
    """Which memories to flag, prune or unflag, each memory's score, or why nothing ran."""

    flag: tuple[Any, ...] = ()
    prune: tuple[Any, ...] = ()
    unflag: tuple[Any, ...] = ()
    scores: dict[Any, float | None] = field(default_factory=dict)
    skipped: str | None = None


def memory_quality_actions(
    memories: Iterable[MemoryCounters],
    now: datetime,
    *,
    policy: MemoryQualityPolicy | None = None,
    last_run: datetime | None = None,
) -> MemoryQualityActions:
    """Decide, without touching anything, which memories to flag, prune and unflag."""
    policy = policy or MemoryQualityPolicy()
    if last_run is not None and last_run + policy.cooldown > now:
        left = format_duration(last_run + policy.cooldown - now)
        return MemoryQualityActions(
            skipped=f"cooldown: last ran {last_run:%Y-%m-%d %H:%M}, {left} left"
        )
    flag: list[Any] = []
    prune: list[Any] = []
    unflag: list[Any] = []
    scores: dict[Any, float | None] = {}
    for memory in memories:
        score = quality_score(memory.times_retrieved, memory.times_used, memory.times_helpful)
        scores[memory.id] = score
        judged = (
            score is not None
            and memory.times_retrieved >= policy.min_retrievals
            and now - memory.created_at >= policy.min_age
        )
        if judged and score is not None and score < policy.threshold:
            (prune if memory.flagged else flag).append(memory.id)
        elif memory.flagged and score is not None and score >= policy.threshold:
            unflag.append(memory.id)
    return MemoryQualityActions(tuple(flag), tuple(prune), tuple(unflag), scores)

"""What a learning cycle is told (`CycleOptions`) and what it reports (`CycleReport`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from selflearn.settings import DEFAULT_RETENTION_DAYS
from selflearn.tuner import CycleMetrics, ImprovementRules, MemoryQualityPolicy, RollbackConditions

CycleKind = Literal["micro", "macro", "deep"]
CYCLE_KINDS: tuple[CycleKind, ...] = ("micro", "macro", "deep")

ActionKind = Literal["rollback", "update", "proposal", "experiment", "skipped", "refused"]
ReembedMode = Literal["auto", "all", "off"]


def _rollback_defaults() -> RollbackConditions:
    return RollbackConditions(precision_drop=0.1, recall_drop=0.1, error_rate=0.2, cycles=3)


class CycleOptions(BaseModel):
    """How the cycles work; every field has the documented default.

    `rollback` fills in what a version's own recorded rollback conditions leave unset (a
    version applied by a rule records precision and recall drops, not an error rate).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    micro_lookback: timedelta = Field(
        default=timedelta(hours=1), description="window of the first micro cycle"
    )
    micro_max_window: timedelta = Field(
        default=timedelta(hours=24), description="longest window a micro cycle looks at"
    )
    rollback: RollbackConditions = Field(default_factory=_rollback_defaults)
    improvement: ImprovementRules = Field(default_factory=ImprovementRules)
    seed: int = 0
    macro_seeds: int = Field(default=1, ge=1, le=20, description="seeds per train scenario")
    prompt_ab: bool = Field(default=True, description="A/B prompt variants in the macro cycle")
    prompt_drafts: int = Field(
        default=2, ge=0, le=5, description="prompts the Teacher drafts for that A/B"
    )
    merge_cosine: float = Field(default=0.95, gt=0, le=1)
    merge_max_user_memories: int = Field(default=5000, ge=2)
    quality: MemoryQualityPolicy = Field(default_factory=MemoryQualityPolicy)
    reembed: ReembedMode = "auto"
    batch_size: int = Field(default=256, ge=1)
    retention_days: int | None = Field(
        default=DEFAULT_RETENTION_DAYS,
        ge=0,
        description="days simulation data of finished campaigns is kept (None: forever)",
    )
    retire_superseded: bool = Field(
        default=False,
        description="delete memories two or more changes behind their current fact",
    )


class CycleAction(BaseModel):
    """One thing a cycle did or decided not to do, in words and with the version it left."""

    kind: ActionKind
    rule: str | None = None
    detail: str
    version: int | None = None
    payload: dict[str, Any] | None = None


class OnlineSweep(BaseModel):
    """Online turns turned into golden examples by one sweep."""

    turns: int = 0
    new: int = 0
    repeated: int = 0


class MemoryMaintenance(BaseModel):
    """What consolidation and the deep cycle did to the memories."""

    users: int = 0
    users_skipped: int = 0
    merged: int = 0
    retagged: int = 0
    reembedded: int = 0
    scored: int = 0
    flagged: int = 0
    unflagged: int = 0
    pruned: int = 0
    #: Memories two or more changes behind the current fact: retired (deleted) when the
    #: `retire_superseded` option is on, only counted when it is off (see `_supersede`).
    retired: int = 0
    retire_on: bool = False
    #: Supersede links cleared because the newer memory is gone.
    unlinked: int = 0
    helpfulness: Literal["feedback", "proxy"] | None = None
    quality_skipped: str | None = None
    #: Rows of old simulation data the retention setting removed (see `retention_days`).
    retention: dict[str, Any] | None = None


class CycleReport(BaseModel):
    """Everything one cycle measured and did; also stored as its learning-journal entry."""

    kind: CycleKind
    cycle_id: str
    started_at: datetime
    trigger: str = "on command"
    duration_s: float = 0.0
    version: int | None = None
    version_id: str | None = None
    active_version: int | None = None
    metrics: CycleMetrics | None = None
    stats: dict[str, Any] = Field(default_factory=dict)
    online: OnlineSweep = Field(default_factory=OnlineSweep)
    episodes: int = 0
    actions: list[CycleAction] = Field(default_factory=list)
    memory: MemoryMaintenance | None = None
    findings: list[str] = Field(default_factory=list)
    error: str | None = None
    error_type: str | None = None
    pipeline_run_id: str | None = None
    journal_entry_id: int | None = None

    @property
    def rolled_back(self) -> bool:
        """Return whether the cycle rolled the active version back."""
        return any(action.kind == "rollback" for action in self.actions)

    def summary(self) -> str:
        """Return the cycle in one line of plain language."""
        head = f"{self.kind} cycle on v{self.version}" if self.version else f"{self.kind} cycle"
        if self.error:
            return f"{head} failed: {self.error}"
        parts = list(self.findings[:3]) or ["nothing to report"]
        if self.active_version is not None and self.active_version != self.version:
            parts.append(f"v{self.active_version} is active now")
        return f"{head}: " + "; ".join(parts)

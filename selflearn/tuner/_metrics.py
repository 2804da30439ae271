"""The per-cycle metric summary the degradation and self-improvement rules read."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CycleMetrics(BaseModel):
    """Aggregated quality of one evaluation cycle of one parameter version.

    Rates are shares in [0, 1]; a metric the cycle did not measure is None, and a rule
    that needs it treats the cycle as not breaching (missing data never rolls back).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cycle: int | None = None
    at: datetime | None = None
    precision: float | None = Field(default=None, ge=0, le=1)
    recall: float | None = Field(default=None, ge=0, le=1)
    hallucination_rate: float | None = Field(default=None, ge=0, le=1)
    error_rate: float | None = Field(default=None, ge=0, le=1)
    latency_p95_ms: float | None = Field(default=None, ge=0)

    def label(self) -> str:
        """Return how to name this cycle in a message."""
        if self.cycle is not None:
            return f"cycle {self.cycle}"
        if self.at is not None:
            return f"cycle at {self.at:%Y-%m-%d %H:%M}"
        return "cycle"

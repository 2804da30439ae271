"""The telemetry a micro or deep cycle leaves: one `pipeline_runs` row and one `e2e` event.

The run's `query` is "cycle:<type>", its user "system:cycles" and its answer the cycle's
one-line summary. The event's columns summarise the cycle: `latency_ms` is how long it ran,
`memories_found` how many items it examined (online turns for micro, memories for deep),
`memories_used` how many it changed (memories flagged, unflagged, pruned, merged or
re-embedded), `hit_rate` and the token sums those of the online turns examined (micro), and
`error_type` the error code when the cycle failed. Macro cycles need no such row: their
episodes go through the Student and record every turn with cycle type "macro".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from selflearn.store.models import PipelineRun, TelemetryEvent

SYSTEM_USER = "system:cycles"


@dataclass(frozen=True)
class CycleSummary:
    """The numbers of one cycle that go into its telemetry event."""

    duration_ms: float
    examined: int | None = None
    changed: int | None = None
    hit_rate: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error_type: str | None = None


def write_cycle_telemetry(
    kind: str,
    summary: CycleSummary,
    *,
    session: Session,
    now: datetime,
    version_id: uuid.UUID | None,
    text: str,
) -> uuid.UUID:
    """Add the cycle's pipeline run and its e2e event; return the run id."""
    run_id = uuid.uuid4()
    session.add(
        PipelineRun(
            id=run_id,
            user_id=SYSTEM_USER,
            parameter_version_id=version_id,
            cycle_type=kind,
            query=f"cycle:{kind}",
            answer=text,
            status="error" if summary.error_type else "ok",
            error_type=summary.error_type,
            created_at=now,
        )
    )
    session.flush()
    session.add(
        TelemetryEvent(
            pipeline_id=run_id,
            cycle_type=kind,
            created_at=now,
            stage="e2e",
            latency_ms=summary.duration_ms,
            memories_found=summary.examined,
            memories_used=summary.changed,
            hit_rate=summary.hit_rate,
            prompt_tokens=summary.prompt_tokens,
            completion_tokens=summary.completion_tokens,
            error_type=summary.error_type,
            user_id=SYSTEM_USER,
        )
    )
    session.flush()
    return run_id

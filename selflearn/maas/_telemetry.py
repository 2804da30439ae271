"""Telemetry of Student turns: one `pipeline_runs` row and one event per stage (SPEC §5).

Rows are buffered and written with one multi-row INSERT per table, every `flush_every`
turns (1 = at the end of each turn) and at `flush()`/`close()`, so writing telemetry costs
one short transaction per flush instead of five round trips per turn.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert

from selflearn.store import session_scope
from selflearn.store.models import PipelineRun, TelemetryEvent

__all__ = ["StageEvent", "TelemetryWriter", "TurnTelemetry"]


@dataclass
class StageEvent:
    """The SPEC §5 columns of one stage; None where the stage has nothing to say."""

    stage: str
    latency_ms: float
    memories_found: int | None = None
    memories_used: int | None = None
    hit_rate: float | None = None
    avg_memory_age_days: float | None = None
    tag_overlap_score: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_cost_usd: float | None = None
    retrieval_relevant: bool | None = None
    context_utilized: bool | None = None
    hallucination_detected: bool | None = None
    retry_count: int | None = None
    error_type: str | None = None


@dataclass
class TurnTelemetry:
    """Everything recorded about one turn."""

    pipeline_id: uuid.UUID
    user_id: str
    parameter_version_id: uuid.UUID | None
    experiment_id: str | None
    variant: str | None
    cycle_type: str
    episode_id: str | None
    query: str
    answer: str | None
    status: str
    error_type: str | None
    isolation_ok: bool | None
    events: list[StageEvent] = field(default_factory=list)


class TelemetryWriter:
    """Buffers turn telemetry and writes it in batches; thread-safe."""

    def __init__(self, engine: Engine, *, flush_every: int = 1) -> None:
        self.engine = engine
        self.flush_every = max(1, flush_every)
        self._runs: list[dict[str, Any]] = []
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, turn: TurnTelemetry) -> None:
        """Buffer one turn; write the buffer when it holds `flush_every` turns."""
        run = {
            "id": turn.pipeline_id,
            "user_id": turn.user_id,
            "parameter_version_id": turn.parameter_version_id,
            "experiment_id": turn.experiment_id,
            "variant": turn.variant,
            "cycle_type": turn.cycle_type,
            "episode_id": turn.episode_id,
            "query": turn.query,
            "answer": turn.answer,
            "status": turn.status,
            "error_type": turn.error_type,
        }
        shared = {
            "pipeline_id": turn.pipeline_id,
            "experiment_id": turn.experiment_id,
            "variant": turn.variant,
            "cycle_type": turn.cycle_type,
            "user_id": turn.user_id,
            "isolation_ok": turn.isolation_ok,
        }
        events = [{"id": uuid.uuid4(), **shared, **event.__dict__} for event in turn.events]
        with self._lock:
            self._runs.append(run)
            self._events.extend(events)
            due = len(self._runs) >= self.flush_every
        if due:
            self.flush()

    @property
    def pending(self) -> int:
        """Return how many turns wait in the buffer."""
        return len(self._runs)

    def flush(self) -> None:
        """Write every buffered turn in one transaction (one INSERT per table)."""
        with self._lock:
            runs, events = self._runs, self._events
            self._runs, self._events = [], []
        if not runs:
            return
        try:
            with session_scope(self.engine) as session:
                session.execute(insert(PipelineRun), runs)
                if events:
                    session.execute(insert(TelemetryEvent), events)
        except Exception:
            # Keep the rows for the next attempt rather than losing a turn's record.
            with self._lock:
                self._runs[:0], self._events[:0] = runs, events
            raise

    def close(self) -> None:
        """Write what is left."""
        self.flush()

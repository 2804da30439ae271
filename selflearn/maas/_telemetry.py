"""Telemetry of Student turns: one `pipeline_runs` row and one event per stage (SPEC §5).

Rows are buffered and written with one batched INSERT per table, every `flush_every` turns
(1 = at the end of each turn) and at `flush()`/`close()`, in one transaction committed
without waiting for the WAL flush (`synchronous_commit = off`): a crash may lose the last
fraction of a second of telemetry, never a memory. Measured cost: benchmarks/results/telemetry.md.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from selflearn.store import session_scope

__all__ = ["StageEvent", "TelemetryWriter", "TurnTelemetry"]

_RUN_COLUMNS = (
    "id uuid, user_id text, parameter_version_id uuid, experiment_id text, variant text, "
    "cycle_type text, episode_id text, query text, answer text, status text, error_type text"
)
_EVENT_COLUMNS = (
    "id uuid, pipeline_id uuid, experiment_id text, variant text, cycle_type text, stage text, "
    "latency_ms float8, memories_found int, memories_used int, hit_rate float8, "
    "avg_memory_age_days float8, tag_overlap_score float8, prompt_tokens int, "
    "completion_tokens int, total_cost_usd float8, retrieval_relevant bool, "
    "context_utilized bool, hallucination_detected bool, retry_count int, error_type text, "
    "user_id text, isolation_ok bool"
)


def _names(columns: str) -> str:
    return ", ".join(part.split()[0] for part in columns.split(", "))


# Runs and their events in one round trip; the foreign keys are checked at statement end.
_INSERT = text(
    f"WITH runs AS (INSERT INTO pipeline_runs ({_names(_RUN_COLUMNS)}) "
    f"SELECT * FROM jsonb_to_recordset(CAST(:runs AS jsonb)) AS r({_RUN_COLUMNS}) RETURNING 1) "
    f"INSERT INTO telemetry_events ({_names(_EVENT_COLUMNS)}) "
    f"SELECT * FROM jsonb_to_recordset(CAST(:events AS jsonb)) AS e({_EVENT_COLUMNS})"
)


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
        # A flush returns only once everything buffered before it is written, even when
        # another thread's flush took the rows: callers may then reference them.
        self._write_lock = threading.Lock()

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
        """Write every buffered turn in one transaction and one statement."""
        with self._write_lock:
            self._flush_locked()

    def _flush_locked(self, *, wait_ms: int | None = None) -> None:
        with self._lock:
            runs, events = self._runs, self._events
            self._runs, self._events = [], []
        if not runs:
            return
        try:
            with session_scope(self.engine) as session:
                # Telemetry is observability data: losing the last instant of it in a crash
                # is acceptable, waiting for a WAL flush on every turn is not.
                session.execute(text("SET LOCAL synchronous_commit = off"))
                if wait_ms is not None:
                    session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
                    session.execute(text(f"SET LOCAL statement_timeout = {int(wait_ms)}"))
                session.execute(
                    _INSERT,
                    {
                        "runs": json.dumps(runs, default=str),
                        "events": json.dumps(events, default=str),
                    },
                )
        except Exception:
            # Keep the rows for the next attempt rather than losing a turn's record.
            with self._lock:
                self._runs[:0], self._events[:0] = runs, events
            raise

    def close(self) -> None:
        """Write what is left."""
        self.flush()

    def close_interrupted(self, *, wait_s: float = 5.0) -> str | None:
        """Write what is left after a stop signal, waiting at most `wait_s`; never raise.

        The interrupted statement's transaction may still hold rows these turns point at
        (its connection is let go only with the interrupted frames), and waiting for it
        would keep the process from stopping. Return why nothing was written, or None.
        """
        if not self._write_lock.acquire(timeout=wait_s):
            return "a write interrupted by the signal still holds the telemetry writer"
        try:
            self._flush_locked(wait_ms=int(wait_s * 1000))
        except Exception as error:  # noqa: BLE001 - stopping matters more than these rows
            return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        finally:
            self._write_lock.release()
        return None

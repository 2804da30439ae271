"""`MemoryService`: the in-process API of the Student (used by the HTTP API and the emulator).

Unknown users: memories have no separate user registry, so a user with no memories and a
user never seen are the same thing. `search` and `list_memories` return an empty result for
them (HTTP answers 200 with an empty list) and `chat_turn` abstains.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select, text, update

from selflearn.errors import InvalidInputError, SelflearnError
from selflearn.maas._archivist import Archivist, memory_from_turn
from selflearn.maas._records import owned_ids, to_record, to_retrieved
from selflearn.maas._responder import ResponderModel
from selflearn.maas._retrieval import RetrievalConfig
from selflearn.maas._telemetry import TelemetryWriter
from selflearn.maas._turn_pipeline import TurnPipeline
from selflearn.maas._types import (
    AddedMemory,
    MemoryInput,
    MemoryRecord,
    SearchResult,
    TurnResult,
)
from selflearn.maas._validation import (
    as_aware,
    check_items,
    check_query,
    check_user_id,
)
from selflearn.maas._versions import resolve_parameters
from selflearn.providers import Embedder
from selflearn.store import Database, session_scope
from selflearn.store.models import CYCLE_TYPES, Memory

_log = logging.getLogger(__name__)

__all__ = ["MemoryService"]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class MemoryService:
    """Store, search and answer from per-user memories, recording telemetry for every turn.

    Its parts are given, never looked up: the database, the `embedder`, the `responder`
    (a function from temperature to the responder's chat model) and the `clock` that gives
    the time of requests passing no `now=` (simulations pass scenario time). Build it through
    the composition root (`selflearn.bootstrap`). `telemetry_flush_every` batches telemetry
    writes (call `flush()` or `close()` to write what is buffered; the service is also a
    context manager).
    """

    def __init__(
        self,
        database: Database | Engine,
        *,
        embedder: Embedder,
        responder: ResponderModel,
        clock: Callable[[], datetime] = _wall_clock,
        retrieval: RetrievalConfig | None = None,
        telemetry_flush_every: int = 1,
        archive_turns: bool = True,
    ) -> None:
        self.engine: Engine = database.engine if isinstance(database, Database) else database
        self.embedder = embedder
        self.responder = responder
        self.clock = clock
        self.retrieval = retrieval or RetrievalConfig()
        self.archivist = Archivist(self.embedder, exact_scan_limit=self.retrieval.exact_scan_limit)
        self.telemetry = TelemetryWriter(self.engine, flush_every=telemetry_flush_every)
        self.archive_turns = archive_turns

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> MemoryService:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            # A stop signal: write the buffered telemetry if that takes no waiting on rows
            # an interrupted transaction may hold; never keep the process from stopping.
            reason = self.telemetry.close_interrupted()
            if reason is not None:
                _log.warning("telemetry of the last turns not written on stop: %s", reason)
            return
        self.close()

    def flush(self) -> None:
        """Write buffered telemetry now."""
        self.telemetry.flush()

    def close(self) -> None:
        """Write buffered telemetry; the service stays usable."""
        self.telemetry.close()

    def _now(self, now: datetime | None) -> datetime:
        return as_aware(now, default=self.clock())

    # -- memories -----------------------------------------------------------------------

    def add_memories(
        self,
        user_id: str,
        items: Iterable[MemoryInput | Mapping[str, Any] | str],
        *,
        now: datetime | None = None,
        merge_duplicates: bool = True,
    ) -> list[AddedMemory]:
        """Store memories for `user_id`, all or none; near-duplicates merge into one memory."""
        user_id = check_user_id(user_id)
        checked = check_items(items)
        moment = self._now(now)
        for item in checked:
            if item.occurred_at is not None:
                item.occurred_at = as_aware(item.occurred_at, default=moment)
        vectors = self.embedder.embed([item.text for item in checked])
        with session_scope(self.engine) as session:
            return self.archivist.store(
                session,
                user_id,
                checked,
                now=moment,
                merge_duplicates=merge_duplicates,
                vectors=vectors,
            )

    def list_memories(
        self, user_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[MemoryRecord]:
        """Return the memories of `user_id`, newest first (empty for an unknown user)."""
        user_id = check_user_id(user_id)
        if (limit is not None and limit < 1) or offset < 0:
            raise InvalidInputError(
                "limit must be positive and offset not negative", hint="Use limit>=1, offset>=0."
            )
        query = (
            select(Memory)
            .where(Memory.user_id == user_id)
            .order_by(Memory.occurred_at.desc(), Memory.id)
            .offset(offset)
            .limit(limit)
        )
        with session_scope(self.engine) as session:
            return [to_record(m) for m in session.scalars(query) if m.user_id == user_id]

    def delete_memories(self, user_id: str, ids: Sequence[uuid.UUID | str] | None = None) -> int:
        """Delete all memories of `user_id`, or the listed ones (all of which must be theirs).

        A memory that a deleted one superseded becomes current again."""
        user_id = check_user_id(user_id)
        with session_scope(self.engine) as session:
            if ids is None:
                result = session.execute(delete(Memory).where(Memory.user_id == user_id))
                return int(result.rowcount or 0)  # type: ignore[attr-defined]
            owned = owned_ids(session, user_id, ids, doing="delete", undone="deleted")
            session.execute(delete(Memory).where(Memory.user_id == user_id, Memory.id.in_(owned)))
            # A fact whose change is deleted holds again.
            session.execute(
                update(Memory)
                .where(Memory.user_id == user_id, Memory.superseded_by.in_(owned))
                .values(superseded_by=None)
            )
            return len(owned)

    def record_feedback(
        self, user_id: str, memory_ids: Sequence[uuid.UUID | str], *, helpful: bool
    ) -> int:
        """Record the user's verdict on an answer: its memories were helpful, or not.

        `memory_ids` are the turn's `used_memory_ids`, all of which must be the user's. A
        helpful answer adds one to each memory's `times_helpful`, the numerator of the
        quality score's helpful/used share (SPEC §8); an unhelpful one adds nothing, so
        those memories' share falls as they keep being used. Returns how many were credited.
        """
        user_id = check_user_id(user_id)
        if not memory_ids:
            return 0
        with session_scope(self.engine) as session:
            owned = owned_ids(session, user_id, memory_ids, doing="rate", undone="recorded")
            if helpful:
                session.execute(
                    update(Memory)
                    .where(Memory.user_id == user_id, Memory.id.in_(owned))
                    .values(times_helpful=Memory.times_helpful + 1)
                )
            return len(owned) if helpful else 0

    # -- search -------------------------------------------------------------------------

    def search(
        self,
        user_id: str,
        query: str,
        *,
        params: Mapping[str, Any] | None = None,
        version_id: uuid.UUID | str | None = None,
        experiment_id: str | None = None,
        variant: str | None = None,
        now: datetime | None = None,
    ) -> SearchResult:
        """Return the memories of `user_id` that best match `query` under one parameter set."""
        user_id, query = check_user_id(user_id), check_query(query)
        moment = self._now(now)
        started = time.perf_counter()
        pipeline = TurnPipeline(self.embedder, self.retrieval)
        with session_scope(self.engine) as session:
            resolved = resolve_parameters(
                session,
                version_id=version_id,
                experiment_id=experiment_id,
                variant=variant,
                params=params,
            )
            analysis, outcome = pipeline.retrieve(session, user_id, query, resolved.params, moment)
        return SearchResult(
            items=[to_retrieved(c) for c in outcome.candidates],
            keywords=list(analysis.keywords),
            time_range=(analysis.time_range.start, analysis.time_range.end)
            if analysis.time_range
            else None,
            parameter_version_id=resolved.version_id,
            strategy=outcome.strategy,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    # -- one Student turn ---------------------------------------------------------------

    def chat_turn(
        self,
        user_id: str,
        message: str,
        *,
        version_id: uuid.UUID | str | None = None,
        experiment_id: str | None = None,
        variant: str | None = None,
        cycle_type: str = "online",
        episode_id: str | None = None,
        now: datetime | None = None,
        params: Mapping[str, Any] | None = None,
        speaker: str | None = None,
        relevant_turn_ids: Collection[str] | None = None,
        turn_id: str | None = None,
        directive: str | None = None,
        tone: str | None = None,
    ) -> TurnResult:
        """Answer one user message from memory, remember it, and record telemetry.

        The parameter version is resolved once, at the start: `params` (explicit values),
        else `version_id`, else `experiment_id` + `variant`, else the active version, else
        the defaults. `turn_id` names the turn in the stored memory's provenance (default: the
        pipeline run id). `relevant_turn_ids` (ground truth, when the caller knows it) makes the
        recorded hit rate a real retrieval hit. `directive` is an instruction to the responder
        from a tool node of the assistant's turn (the micrograph's next topic); `tone` is the
        mirror hub's tone and intensity for the answer.
        """
        pipeline = TurnPipeline(self.embedder, self.retrieval, responder=self.responder)
        user_id, message = check_user_id(user_id), check_query(message)
        if cycle_type not in CYCLE_TYPES:
            raise InvalidInputError(
                f"unknown cycle type {cycle_type!r}", hint=f"Use one of: {', '.join(CYCLE_TYPES)}."
            )
        moment = self._now(now)
        with session_scope(self.engine) as session:
            resolved = resolve_parameters(
                session,
                version_id=version_id,
                experiment_id=experiment_id,
                variant=variant,
                params=params,
            )
        pipeline_id = uuid.uuid4()
        try:
            result = pipeline.run(
                self.engine,
                pipeline_id=pipeline_id,
                user_id=user_id,
                message=message,
                resolved=resolved,
                now=moment,
                relevant_turn_ids=relevant_turn_ids,
                directive=directive,
                tone=tone,
            )
            stored = None
            if self.archive_turns:
                memory = memory_from_turn(
                    message,
                    speaker=speaker,
                    turn_id=turn_id or str(pipeline_id),
                    occurred_at=moment,
                    episode_id=episode_id,
                )
                stored = self._remember(user_id, memory, result.retrieved_ids, result.used_ids)
            else:
                self._count_use(user_id, result.retrieved_ids, result.used_ids)
        except SelflearnError as error:
            self.telemetry.record(
                pipeline.failed(
                    pipeline_id, user_id, message, resolved, cycle_type, episode_id, error
                )
            )
            raise
        self.telemetry.record(
            pipeline.telemetry(pipeline_id, user_id, message, resolved, cycle_type, episode_id)
        )
        return result.to_turn_result(pipeline_id, resolved, stored)

    def _remember(
        self,
        user_id: str,
        memory: MemoryInput | None,
        retrieved: Sequence[uuid.UUID],
        used: Sequence[uuid.UUID],
    ) -> AddedMemory | None:
        # Remembering and counting share one transaction: a turn leaves both or neither.
        with session_scope(self.engine) as session:
            _update_counters(session, user_id, retrieved, used)
            if memory is None:
                return None
            moment = memory.occurred_at or datetime.now(UTC)
            return self.archivist.store(session, user_id, [memory], now=moment)[0]

    def _count_use(
        self, user_id: str, retrieved: Sequence[uuid.UUID], used: Sequence[uuid.UUID]
    ) -> None:
        with session_scope(self.engine) as session:
            _update_counters(session, user_id, retrieved, used)


def _update_counters(
    session: Any, user_id: str, retrieved: Sequence[uuid.UUID], used: Sequence[uuid.UUID]
) -> None:
    if not retrieved:
        return
    session.execute(
        text(
            "UPDATE memories SET times_retrieved = times_retrieved + 1, "
            "times_used = times_used + CASE WHEN id = ANY(:used) THEN 1 ELSE 0 END "
            "WHERE user_id = :u AND id = ANY(:ids)"
        ),
        {"u": user_id, "ids": list(retrieved), "used": list(used)},
    )

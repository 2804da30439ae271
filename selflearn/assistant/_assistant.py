"""`Assistant`: the Student client that runs each turn through the turn graph."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from langgraph.runtime import RunControl
from sqlalchemy import insert

from selflearn.assistant._builder import build_turn_graph
from selflearn.assistant._state import TurnContext, TurnState
from selflearn.learners.micrograph import Micrograph
from selflearn.learners.mirror import MirrorHub
from selflearn.maas import MemoryService, TurnResult
from selflearn.store import session_scope
from selflearn.store.models import MicrographTurn


class Assistant:
    """Answer as the Student does, with the tool nodes of SPEC §11 around each turn.

    Satisfies `selflearn.maas.StudentClient`, so the emulator and the campaign graph play
    through it unchanged. The micrograph's telemetry rows are buffered and written after
    the Student's own telemetry (`flush`, or every `flush_every` rows). `mirror`, when
    given, is the mirror loop the hub's tool node answers from.
    """

    def __init__(
        self,
        student: MemoryService,
        micrograph: Micrograph,
        *,
        flush_every: int = 64,
        mirror: MirrorHub | None = None,
    ) -> None:
        self.student = student
        self.micrograph = micrograph
        self.flush_every = flush_every
        self._rows: list[dict[str, Any]] = []
        # checkpointer=False: a turn run inside a campaign node must not become a subgraph
        # of the campaign's checkpointed run (a resumed campaign would replay stale turns).
        self.graph = build_turn_graph().compile(checkpointer=False)
        self.context = TurnContext(
            engine=student.engine,
            student=student,
            micrograph=micrograph,
            record=self._record,
            mirror=mirror,
        )

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
        intent: str | None = None,
    ) -> TurnResult:
        """Run one turn through the graph; `intent` overrides the user's stored one."""
        options: dict[str, Any] = {
            "version_id": version_id,
            "experiment_id": experiment_id,
            "variant": variant,
            "cycle_type": cycle_type,
            "episode_id": episode_id,
            "now": now,
            "params": params,
            "speaker": speaker,
            "relevant_turn_ids": relevant_turn_ids,
            "turn_id": turn_id,
        }
        state: TurnState = {
            "user_id": user_id,
            "message": message,
            "options": options,
            "intent": intent,
        }
        # A turn runs whole: a stop asked of an enclosing run (a campaign draining after
        # SIGTERM) waits for the turn to end instead of cutting it between its nodes.
        final = self.graph.invoke(state, context=self.context, control=RunControl())
        return final["result"]

    def delete_memories(self, user_id: str, ids: Sequence[uuid.UUID | str] | None = None) -> int:
        """Delete memories as the Student does."""
        return self.student.delete_memories(user_id, ids)

    def record_feedback(
        self, user_id: str, memory_ids: Sequence[uuid.UUID | str], *, helpful: bool
    ) -> int:
        """Record feedback as the Student does."""
        return self.student.record_feedback(user_id, memory_ids, helpful=helpful)

    def _record(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Write the Student's buffered telemetry, then the micrograph's."""
        self.student.flush()
        rows, self._rows = self._rows, []
        if rows:
            with session_scope(self.student.engine) as session:
                session.execute(insert(MicrographTurn), rows)

    def close(self) -> None:
        """Write everything buffered; the assistant stays usable."""
        self.flush()
        self.student.close()

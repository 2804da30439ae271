"""The public forms of stored and retrieved memories, and the ownership check of ids."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.errors import NotFoundError
from selflearn.maas._retrieval import Candidate
from selflearn.maas._types import MemoryRecord, RetrievedMemory
from selflearn.maas._validation import check_ids
from selflearn.store.models import Memory

__all__ = ["owned_ids", "to_record", "to_retrieved"]


def owned_ids(
    session: Session,
    user_id: str,
    ids: Sequence[uuid.UUID | str],
    *,
    doing: str,
    undone: str,
) -> set[uuid.UUID]:
    """Return `ids` when every one is a memory of `user_id`; else raise, naming one missing.

    Another user's id gets the same answer as an id that does not exist: nothing leaks.
    """
    wanted = set(check_ids(ids))
    owned = set(
        session.scalars(select(Memory.id).where(Memory.user_id == user_id, Memory.id.in_(wanted)))
    )
    missing = wanted - owned
    if missing:
        raise NotFoundError(
            f"{len(missing)} of the memories to {doing} do not exist for this user "
            f"(first: {sorted(map(str, missing))[0]})",
            hint=f"List the user's memories to get their ids; nothing was {undone}.",
        )
    return owned


def to_retrieved(candidate: Candidate, *, in_context: bool = False) -> RetrievedMemory:
    """Return the public form of a retrieved memory."""
    return RetrievedMemory(
        id=candidate.id,
        text=candidate.text,
        speaker=candidate.speaker,
        occurred_at=candidate.occurred_at,
        source_turn_ids=candidate.source_turn_ids,
        tags=candidate.tags,
        provenance=candidate.provenance,
        dense=round(candidate.dense, 6),
        lexical=round(candidate.lexical, 6),
        relevance=round(candidate.relevance, 6),
        recency=round(candidate.recency, 6),
        score=round(candidate.score, 6),
        in_context=in_context,
    )


def to_record(memory: Memory) -> MemoryRecord:
    """Return the public form of a stored memory."""
    return MemoryRecord(
        id=memory.id,
        user_id=memory.user_id,
        text=memory.text,
        speaker=memory.speaker,
        occurred_at=memory.occurred_at,
        source_turn_ids=list(memory.source_turn_ids),
        tags=list(memory.tags),
        provenance=dict(memory.provenance),
        times_retrieved=memory.times_retrieved,
        times_used=memory.times_used,
        times_helpful=memory.times_helpful,
        flagged=memory.flagged,
        superseded_by=memory.superseded_by,
    )

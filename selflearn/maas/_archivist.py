"""The archivist: turns dialogue turns into memories and stores them without duplicates.

A new memory that is near-identical to one the same user already has (cosine similarity of
the embeddings at least `duplicate_cosine` AND the same content words, Jaccard at least
`duplicate_jaccard`) is merged into it: the existing row keeps its text and counters, and
gains the new turn ids, tags and a provenance entry; its `occurred_at` moves to the latest
mention. Inside one batch the same rule applies between the new items.

A new memory that says a fact of the same person changed links the memory it updates
(`superseded_by`, see `selflearn.maas._supersede`); `supersede_min_cosine` and
`supersede_min_overlap` are the similarity and word overlap that rule asks for (chosen on a
generated training set, `benchmarks/supersede_links.py`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, insert, text
from sqlalchemy.orm import Session

from selflearn.maas._retrieval import vector_literal
from selflearn.maas._supersede import NewMemory, link_superseded
from selflearn.maas._text import content_terms
from selflearn.maas._types import AddedMemory, MemoryInput
from selflearn.providers import Embedder, light_stem
from selflearn.store.models import Memory

__all__ = ["MAX_TAGS", "Archivist", "memory_from_turn", "tag_candidates", "with_reply_context"]

_SMALL_TALK = re.compile(
    r"^(?:hi|hey|hello|thanks?(?: you)?|thx|ok(?:ay)?|sure|yes|no|yeah|bye|good (?:night|morning)"
    r"|cool|great|nice|lol|haha)\b[\s!.,]*$",
    re.IGNORECASE,
)
MAX_TAGS = 8


def tag_candidates(text_: str) -> list[str]:
    """Return the stems a memory's topic tags are chosen from (content words, no numbers)."""
    return list(dict.fromkeys(light_stem(w) for w in content_terms(text_) if not w.isdigit()))


def _tags(text_: str) -> list[str]:
    # Online, the longest content words stand in for topic tags: they are the rarest on
    # average. The deep cycle re-chooses them by their real rarity in the user's memories.
    return sorted(tag_candidates(text_), key=lambda t: (-len(t), t))[:MAX_TAGS]


def with_reply_context(
    text_: str, previous_speaker: str | None, previous_text: str | None, *, max_chars: int = 250
) -> str:
    """Append the end of the turn `text_` answers, so the memory makes sense on its own.

    In a dialogue a reply ("They were scared but we reassured them") often only names its
    topic in the turn before it ("How did the kids handle the accident?"); the last
    `max_chars` characters of that turn, cut at a word boundary, travel with the memory.
    """
    if not previous_text or max_chars <= 0:
        return text_
    snippet = " ".join(previous_text.split())
    if len(snippet) > max_chars:
        snippet = snippet[-max_chars:]
        snippet = "…" + snippet[snippet.find(" ") + 1 :] if " " in snippet else snippet
    who = previous_speaker or "them"
    return f'{text_} (in reply to {who}: "{snippet}")'


def memory_from_turn(
    message: str,
    *,
    speaker: str | None,
    turn_id: str,
    occurred_at: datetime,
    episode_id: str | None = None,
    source: str = "chat",
) -> MemoryInput | None:
    """Return the memory a user turn leaves, or None for small talk and bare questions."""
    stripped = message.strip()
    if _SMALL_TALK.match(stripped):
        return None
    # A question asks for memory; it states nothing worth remembering.
    if stripped.endswith("?") and not re.search(r"[.!]\s", stripped):
        return None
    if not content_terms(stripped):
        return None
    provenance: dict[str, Any] = {"source": source}
    if episode_id is not None:
        provenance["episode_id"] = episode_id
    return MemoryInput(
        text=stripped,
        speaker=speaker,
        occurred_at=occurred_at,
        source_turn_ids=[turn_id],
        provenance=provenance,
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class _Pending:
    row: dict[str, Any]
    terms: set[str]


class Archivist:
    """Stores memories for a user, merging near-duplicates."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        duplicate_cosine: float = 0.95,
        duplicate_jaccard: float = 0.8,
        exact_scan_limit: int = 20_000,
        supersede_min_cosine: float | None = 0.0,
        supersede_min_overlap: float = 0.2,
    ) -> None:
        self.embedder = embedder
        self.duplicate_cosine = duplicate_cosine
        self.duplicate_jaccard = duplicate_jaccard
        self.exact_scan_limit = exact_scan_limit
        # None turns supersede links off.
        self.supersede_min_cosine = supersede_min_cosine
        self.supersede_min_overlap = supersede_min_overlap

    def store(
        self,
        session: Session,
        user_id: str,
        items: Sequence[MemoryInput],
        *,
        now: datetime,
        merge_duplicates: bool = True,
        vectors: np.ndarray | None = None,
    ) -> list[AddedMemory]:
        """Insert `items` for `user_id` in the caller's transaction; merge near-duplicates."""
        if vectors is None:
            vectors = self.embedder.embed([item.text for item in items])
        results: list[AddedMemory] = []
        pending: list[_Pending] = []
        exact = True
        if merge_duplicates:
            count = session.execute(
                text("SELECT count(*) FROM memories WHERE user_id = :u"), {"u": user_id}
            ).scalar_one()
            exact = int(count) <= self.exact_scan_limit
        for position, item in enumerate(items):
            when = item.occurred_at or now
            source = {
                **{k: v for k, v in item.provenance.items() if k != "sources"},
                "speaker": item.speaker,
                "turn_ids": list(item.source_turn_ids),
                "occurred_at": when.isoformat(),
            }
            terms = {light_stem(w) for w in content_terms(item.text)}
            vector = vectors[position]
            if merge_duplicates:
                target = self._batch_duplicate(pending, vectors, position, terms)
                if target is not None:
                    _merge_pending(target.row, item, source, when)
                    results.append(AddedMemory(id=target.row["id"], merged=True))
                    continue
                existing = self._stored_duplicate(session, user_id, vector, terms, exact=exact)
                if existing is not None:
                    _merge_stored(session, user_id, existing, item, source, when)
                    results.append(AddedMemory(id=existing, merged=True))
                    continue
            row = {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "text": item.text,
                "speaker": item.speaker,
                "source_turn_ids": list(dict.fromkeys(item.source_turn_ids)),
                "provenance": {**item.provenance, "sources": [source], "mentions": 1},
                "tags": list(dict.fromkeys([*item.tags, *_tags(item.text)])),
                "occurred_at": when,
                "embedding": vector,
                "_position": position,
            }
            pending.append(_Pending(row, terms))
            results.append(AddedMemory(id=row["id"]))
        if pending:
            session.execute(
                insert(Memory),
                [{k: v for k, v in p.row.items() if k != "_position"} for p in pending],
            )
            if self.supersede_min_cosine is not None:
                fields = ("id", "text", "speaker", "occurred_at")
                new = [
                    NewMemory(**{f: p.row[f] for f in fields}, vector=p.row["embedding"])
                    for p in pending
                ]
                link_superseded(
                    session,
                    user_id,
                    new,
                    min_cosine=self.supersede_min_cosine,
                    min_overlap=self.supersede_min_overlap,
                )
        return results

    def _batch_duplicate(
        self, pending: list[_Pending], vectors: np.ndarray, position: int, terms: set[str]
    ) -> _Pending | None:
        for candidate in pending:
            other = vectors[candidate.row["_position"]]
            if float(np.dot(other, vectors[position])) >= self.duplicate_cosine and (
                _jaccard(candidate.terms, terms) >= self.duplicate_jaccard
            ):
                return candidate
        return None

    def _stored_duplicate(
        self, session: Session, user_id: str, vector: np.ndarray, terms: set[str], *, exact: bool
    ) -> uuid.UUID | None:
        # Exact nearest neighbours inside the user's rows (`+ 0` keeps the HNSW index and its
        # post-filter out); above `exact_scan_limit` the index answers, approximately: a
        # duplicate it misses is stored twice and left to the deep cycle's consolidation.
        order = (
            "(embedding <=> (SELECT v FROM qv)) + 0, occurred_at DESC, text"
            if exact
            else "embedding <=> (SELECT v FROM qv)"
        )
        rows = session.execute(
            text(
                "WITH qv AS MATERIALIZED (SELECT CAST(:qv AS vector) AS v) "
                "SELECT id, text, 1 - (embedding <=> (SELECT v FROM qv)) AS cosine "
                f"FROM memories WHERE user_id = :u ORDER BY {order} LIMIT 3"
            ),
            {"u": user_id, "qv": vector_literal(vector)},
        ).all()
        for row in rows:
            if float(row.cosine) < self.duplicate_cosine:
                break
            if _jaccard({light_stem(w) for w in content_terms(row.text)}, terms) >= (
                self.duplicate_jaccard
            ):
                return uuid.UUID(str(row.id))
        return None


def _merge_pending(
    row: dict[str, Any], item: MemoryInput, source: dict[str, Any], when: datetime
) -> None:
    row["source_turn_ids"] = list(dict.fromkeys([*row["source_turn_ids"], *item.source_turn_ids]))
    row["tags"] = list(dict.fromkeys([*row["tags"], *item.tags]))
    row["provenance"]["sources"].append(source)
    row["provenance"]["mentions"] += 1
    row["occurred_at"] = max(row["occurred_at"], when)


def _merge_stored(
    session: Session,
    user_id: str,
    memory_id: uuid.UUID,
    item: MemoryInput,
    source: dict[str, Any],
    when: datetime,
) -> None:
    memory = session.get(Memory, memory_id, with_for_update=True)
    if memory is None or memory.user_id != user_id:
        return
    memory.source_turn_ids = list(dict.fromkeys([*memory.source_turn_ids, *item.source_turn_ids]))
    memory.tags = list(dict.fromkeys([*memory.tags, *item.tags]))
    provenance = dict(memory.provenance)
    provenance["sources"] = [*provenance.get("sources", []), source]
    provenance["mentions"] = int(provenance.get("mentions", 1)) + 1
    memory.provenance = provenance
    memory.occurred_at = max(memory.occurred_at, when)
    memory.updated_at = func.now()

"""Consolidation: merge near-duplicate memories of each user.

Two memories of one user are near duplicates when the cosine similarity of their
embeddings is at least `cosine` (0.95 by default), the same speaker said them, and they
name the same numbers (a changed date, amount or count is a new fact, not a repeat). The
archivist already merges at write time; this catches what it could not (approximate index
lookups above its exact-scan limit, re-embedded memories, reworded repeats).

Each group of duplicates keeps one memory, the most used (then the most mentioned, then
the oldest): it gains the others' turn ids, tags, provenance sources, mention counts and
usage counters, and its time becomes the latest mention; the others are deleted. A user
with more than `max_user_memories` memories is skipped (the pair scan is quadratic) and
counted as such. Simulated users (`sim:` ids) are left alone: their memories are
dropped with their episode.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, Select, func, or_, select, text, update
from sqlalchemy.orm import Session

from selflearn.cycles._models import MemoryMaintenance
from selflearn.store import real_users, session_scope
from selflearn.store.models import Memory

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

_PAIRS = text(
    """
    SELECT a.id AS a, b.id AS b, a.text AS a_text, b.text AS b_text,
           1 - (a.embedding <=> b.embedding) AS cosine
    FROM memories AS a
    JOIN memories AS b ON b.user_id = a.user_id AND a.id < b.id
    WHERE a.user_id = :u AND b.user_id = :u
      AND a.speaker IS NOT DISTINCT FROM b.speaker
      AND (a.embedding <=> b.embedding) <= :max_distance
    ORDER BY cosine DESC, a.id, b.id
    """
)


def _numbers(text_: str) -> set[str]:
    return {number.replace(",", ".") for number in _NUMBER.findall(text_)}


def _rank(memory: Memory) -> tuple[int, int, datetime, str]:
    mentions = int(memory.provenance.get("mentions", 1) or 1)
    return (-memory.times_used, -mentions, memory.created_at, str(memory.id))


def _absorb(keep: Memory, other: Memory, now: datetime) -> None:
    keep.source_turn_ids = list(dict.fromkeys([*keep.source_turn_ids, *other.source_turn_ids]))
    keep.tags = list(dict.fromkeys([*keep.tags, *other.tags]))
    provenance = dict(keep.provenance)
    theirs = dict(other.provenance)
    provenance["sources"] = [*provenance.get("sources", []), *theirs.get("sources", [])]
    provenance["mentions"] = int(provenance.get("mentions", 1) or 1) + int(
        theirs.get("mentions", 1) or 1
    )
    provenance["merged_from"] = [*provenance.get("merged_from", []), str(other.id)]
    keep.provenance = provenance
    keep.times_retrieved += other.times_retrieved
    keep.times_used += other.times_used
    keep.times_helpful += other.times_helpful
    keep.occurred_at = max(keep.occurred_at, other.occurred_at)
    keep.flagged = keep.flagged and other.flagged
    keep.quality_score = None
    keep.updated_at = now


def _relink(
    session: Session, user_id: str, keep: Memory, members: list[Memory], gone: list[uuid.UUID]
) -> None:
    """Keep supersede links true when `members` merge into `keep`.

    A change that superseded a merged-away memory now supersedes the one kept. The kept
    memory is superseded by the first change said after its last mention, or by nothing (a
    fact said again after a change holds again).
    """
    targets = {m.superseded_by for m in members} - {None, *gone}
    session.execute(
        update(Memory)
        .where(Memory.user_id == user_id, Memory.superseded_by.in_(gone))
        .values(superseded_by=keep.id)
    )
    later = session.execute(
        select(Memory.id)
        .where(Memory.id.in_(targets), Memory.occurred_at > keep.occurred_at)
        .order_by(Memory.occurred_at, Memory.id)
        .limit(1)
    ).scalar_one_or_none()
    keep.superseded_by = later


def _groups(pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> list[set[uuid.UUID]]:
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(node: uuid.UUID) -> uuid.UUID:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[uuid.UUID, set[uuid.UUID]] = {}
    for node in list(parent):
        groups.setdefault(root(node), set()).add(node)
    return [group for group in groups.values() if len(group) > 1]


def _users(changed_since: datetime | None) -> Select[str, int]:
    """Real users (simulated `sim:` users are skipped) with their memory counts."""
    query = select(Memory.user_id, func.count()).where(real_users(Memory.user_id))
    if changed_since is not None:
        changed = select(Memory.user_id).where(
            or_(Memory.created_at > changed_since, Memory.updated_at > changed_since)
        )
        query = query.where(Memory.user_id.in_(changed))
    return query.group_by(Memory.user_id).order_by(Memory.user_id)


def merge_user_duplicates(session: Session, user_id: str, *, cosine: float, now: datetime) -> int:
    """Merge the near-duplicate memories of one user; return how many were merged away."""
    rows = session.execute(_PAIRS, {"u": user_id, "max_distance": 1.0 - cosine}).all()
    pairs = [(row.a, row.b) for row in rows if _numbers(row.a_text) == _numbers(row.b_text)]
    merged = 0
    for group in _groups(pairs):
        members = list(
            session.scalars(
                select(Memory)
                .where(Memory.user_id == user_id, Memory.id.in_(group))
                .with_for_update()
            )
        )
        if len(members) < 2:
            continue
        keep, *others = sorted(members, key=_rank)
        for other in others:
            _absorb(keep, other, now)
            session.delete(other)
            merged += 1
        _relink(session, user_id, keep, members, [other.id for other in others])
        session.flush()
    return merged


def consolidate(
    engine: Engine,
    *,
    now: datetime,
    cosine: float,
    max_user_memories: int,
    changed_since: datetime | None = None,
) -> MemoryMaintenance:
    """Merge near duplicates for every real user (or those whose memories changed since)."""
    with session_scope(engine) as session:
        users = session.execute(_users(changed_since)).all()
    done = MemoryMaintenance()
    for user_id, count in users:
        if int(count) > max_user_memories:
            done.users_skipped += 1
            continue
        if int(count) < 2:
            continue
        # One transaction per user: a failure leaves the other users' merges in place.
        with session_scope(engine) as session:
            done.merged += merge_user_duplicates(session, user_id, cosine=cosine, now=now)
        done.users += 1
    return done

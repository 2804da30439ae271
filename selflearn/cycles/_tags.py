"""Refresh memory tags in the deep cycle: each memory's rarest words within its user's space.

When a memory is stored, its tags are its longest content words, a stand-in for rarity
that needs no statistics. The deep cycle has every memory of a user at hand, so it picks
each memory's tags again by document frequency within that user's memories: the
`MAX_TAGS` stems the fewest of the user's memories contain (longer first on ties). Tags
that are not words of the memory's own text came from the caller (`MemoryInput.tags`) and
are kept in front.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from selflearn.maas import MAX_TAGS, tag_candidates
from selflearn.store.models import Memory

__all__ = ["refresh_user_tags", "refreshed_tags"]


def refreshed_tags(text: str, tags: list[str], frequency: Counter[str]) -> list[str]:
    """Return the tags of one memory: the caller's own, then its rarest stems."""
    candidates = tag_candidates(text)
    given = [t for t in tags if t not in candidates]
    rarest = sorted(candidates, key=lambda t: (frequency[t], -len(t), t))[:MAX_TAGS]
    return list(dict.fromkeys([*given, *rarest]))


def refresh_user_tags(session: Session, user_id: str) -> int:
    """Re-choose the tags of every memory of `user_id`; return how many changed."""
    rows = session.execute(
        select(Memory.id, Memory.text, Memory.tags).where(Memory.user_id == user_id)
    ).all()
    frequency: Counter[str] = Counter()
    for row in rows:
        frequency.update(tag_candidates(row.text))
    changes = []
    for row in rows:
        tags = refreshed_tags(row.text, list(row.tags or []), frequency)
        if tags != list(row.tags or []):
            changes.append({"id": row.id, "tags": tags})
    if changes:
        session.execute(update(Memory), changes)
    return len(changes)

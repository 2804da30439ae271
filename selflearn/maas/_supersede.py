"""Which stored memory a new one supersedes: the same person's fact about the same thing, changed.

A new memory N supersedes an older memory O of the same user (O.superseded_by = N) when

1. a sentence of N says that something changed ("I moved to ...", "these days ...", "I
   switched to ...", `announces_change`); a memory that announces nothing supersedes nothing;
2. O is still current (nothing supersedes it yet), was said before N and by the same speaker
   (a conversation stored under one user may hold two people's turns);
3. a sentence of O states the fact of the same person as that sentence of N: the same
   relation's ("my sister ..."), or the user's own, a sentence about no one in particular
   ("The lease ends in May.") counting as the user's own in the user's conversation
   (`subject_key`);
4. and the two sentences are about the same thing: of their content words (the change cue
   itself, "new", "now", left out) they share at least `min_overlap` (Jaccard), and the
   memories' embeddings have a cosine similarity of at least `min_cosine`. Of several such
   memories the most similar one is superseded (a chain of changes links one step at a time).

Sentence by sentence, because a long chat turn that says "now" and shares a word or two with
an older turn ("great", "kids") is not a change of it. The thresholds were chosen on a
generated training set and LoCoMo training conversations (`benchmarks/supersede_links.py`).

These are word rules read by hand, not a model's judgement. With the offline (hashing)
embedder, similarity is word overlap: a change said without a cue word ("My office is in
Leeds." after "My office is in York.") or without a word in common with the old fact ("I
went vegan." after "I eat a flexitarian diet.") is not linked. Nothing is deleted
here: retrieval ranks a superseded memory lower for questions about the present and not at
all lower for questions about the past (`selflearn.maas._retrieval`), and the deep cycle
retires memories two or more changes behind when the owner turns that on (`selflearn.cycles`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from selflearn.maas._retrieval import vector_literal
from selflearn.maas._subjects import CHANGE_CUES as _CHANGE_CUES
from selflearn.maas._subjects import announces_change, subject_key
from selflearn.maas._text import sentences, stems, without_reply_context

__all__ = ["NewMemory", "link_superseded", "supersedes"]

_CANDIDATES = text(
    "WITH qv AS MATERIALIZED (SELECT CAST(:qv AS vector) AS v) "
    "SELECT id, text, 1 - (embedding <=> (SELECT v FROM qv)) AS cosine FROM memories "
    "WHERE user_id = :u AND superseded_by IS NULL AND occurred_at < :t AND id <> :id "
    "AND speaker IS NOT DISTINCT FROM :speaker "
    "ORDER BY (embedding <=> (SELECT v FROM qv)) + 0, occurred_at DESC, text LIMIT :n"
)
_LINK = text("UPDATE memories SET superseded_by = :new WHERE id = :old AND user_id = :u")


@dataclass(frozen=True)
class NewMemory:
    """A memory just stored: what `link_superseded` needs of it."""

    id: uuid.UUID
    text: str
    speaker: str | None
    occurred_at: datetime
    vector: np.ndarray


def supersedes(
    new_text: str, old_text: str, cosine: float, *, min_cosine: float, min_overlap: float
) -> bool:
    """Return whether `new_text` supersedes `old_text` by rules 1, 3 and 4 (see the module).

    Rules 1, 3 and 4 hold of one sentence of each: a sentence of the new memory that says
    something changed, and a sentence of the old memory about the same person and thing.
    """
    if cosine < min_cosine:
        return False
    olds = [(_person(o), stems(o)) for o in sentences(without_reply_context(old_text))]
    for new in sentences(without_reply_context(new_text)):
        person = _person(new)
        if not announces_change(new) or person == "other":
            continue
        cues = stems(" ".join(_CHANGE_CUES.findall(new)))
        new_terms = stems(new) - cues
        for old_person, old_stems in olds:
            if old_person != person:
                continue
            old_terms = old_stems - cues
            shared = new_terms & old_terms
            if shared and len(shared) >= min_overlap * len(new_terms | old_terms):
                return True
    return False


def _person(text_: str) -> str:
    return subject_key(text_) or "self"


def link_superseded(
    session: Session,
    user_id: str,
    memories: Sequence[NewMemory],
    *,
    min_cosine: float,
    min_overlap: float,
    scan: int = 5,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Link what each of `memories` supersedes, oldest first; return (old, new) id pairs.

    Runs in the caller's transaction, after the memories are inserted, so that a batch
    that tells a fact and then its change links them too.
    """
    linked: list[tuple[uuid.UUID, uuid.UUID]] = []
    for memory in sorted(memories, key=lambda m: (m.occurred_at, str(m.id))):
        if not announces_change(without_reply_context(memory.text)):
            continue  # the cheap test first: most memories say nothing changed
        rows = session.execute(
            _CANDIDATES,
            {
                "u": user_id,
                "qv": vector_literal(memory.vector),
                "t": memory.occurred_at,
                "speaker": memory.speaker,
                "id": memory.id,
                "n": scan,
            },
        ).all()
        for row in rows:
            cosine = float(row.cosine)
            if supersedes(
                memory.text, row.text, cosine, min_cosine=min_cosine, min_overlap=min_overlap
            ):
                old = uuid.UUID(str(row.id))
                session.execute(_LINK, {"new": memory.id, "old": old, "u": user_id})
                linked.append((old, memory.id))
                break
    return linked

"""The micrograph's SQL: one statement for the candidates and their past, one for the upsert.

Both find the user's rows through btree indexes (`memories (user_id, occurred_at)`,
`topic_transitions (user_id, agent_intent)`) and compute exact cosine distances inside that
small per-user set. pgvector 0.6 has no iterative index scans, so an HNSW index filtered by
user would post-filter and silently return too few rows; the exact scan is bounded instead:
candidates come from the user's `recent` newest memories, and a user's transitions merge
by similarity, so their number grows with distinct topic pairs, not with turns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = [
    "PoolRow",
    "StoredTransition",
    "candidate_pool",
    "parse_vector",
    "upsert_transition",
    "vector_literal",
]

#: How many of the user's newest memories the candidate search looks at.
RECENT_MEMORIES = 2000

CANDIDATES = text(
    """
WITH cur AS MATERIALIZED (SELECT CAST(:cur AS vector) AS v),
recent AS MATERIALIZED (
    SELECT id, text, embedding, occurred_at FROM memories
    WHERE user_id = :u ORDER BY occurred_at DESC, id LIMIT :recent
),
pool AS MATERIALIZED (
    SELECT id, text, embedding, occurred_at,
           1 - (embedding <=> (SELECT v FROM cur)) AS similarity
    FROM recent ORDER BY embedding <=> (SELECT v FROM cur), occurred_at DESC, text LIMIT :pool
),
past AS MATERIALIZED (
    SELECT target_embedding, success_weight FROM topic_transitions
    WHERE :learn AND user_id = :u AND agent_intent = :intent
      AND source_embedding <=> (SELECT v FROM cur) < :match
)
SELECT p.id, p.text, CAST(p.embedding AS text) AS embedding, p.similarity,
       (SELECT x.success_weight FROM past x
        WHERE x.target_embedding <=> p.embedding < :match
        ORDER BY x.target_embedding <=> p.embedding, x.success_weight DESC LIMIT 1)
       AS past_weight
FROM pool p ORDER BY p.similarity DESC, p.occurred_at DESC, p.text
"""
)

# The EMA is computed where the row is, in one statement: concurrent turns of one user
# cannot lose an update between a read and a write.
UPSERT = text(
    """
WITH s AS MATERIALIZED (SELECT CAST(:s AS vector) AS v),
t AS MATERIALIZED (SELECT CAST(:t AS vector) AS v),
hit AS (
    SELECT id FROM topic_transitions
    WHERE user_id = :u AND agent_intent = :intent
      AND source_embedding <=> (SELECT v FROM s) < :within
      AND target_embedding <=> (SELECT v FROM t) < :within
    ORDER BY (source_embedding <=> (SELECT v FROM s)) + (target_embedding <=> (SELECT v FROM t))
    LIMIT 1 FOR UPDATE
),
upd AS (
    UPDATE topic_transitions x
    SET success_weight = x.success_weight * (1 - :rate) + :success * :rate,
        attempts = x.attempts + 1, last_used_at = :now
    FROM hit WHERE x.id = hit.id
    RETURNING x.id, x.success_weight, x.attempts
),
ins AS (
    INSERT INTO topic_transitions (id, user_id, source_embedding, target_embedding,
        transition_type, agent_intent, success_weight, attempts, last_used_at)
    SELECT :id, :u, (SELECT v FROM s), (SELECT v FROM t), :type, :intent, :success, 1, :now
    WHERE NOT EXISTS (SELECT 1 FROM upd)
    RETURNING id, success_weight, attempts
)
SELECT id, success_weight, attempts, false AS created FROM upd
UNION ALL SELECT id, success_weight, attempts, true FROM ins
"""
)


@dataclass(frozen=True)
class PoolRow:
    """A memory near the topic and the weight of the best matching past transition to it.

    The embedding stays in pgvector's text form until asked for: only the chosen
    candidate's is ever needed, and parsing all of them cost more than the query.
    """

    id: uuid.UUID
    text: str
    embedding_text: str
    similarity: float
    past_weight: float | None

    @cached_property
    def embedding(self) -> np.ndarray:
        """Return the memory's embedding."""
        return parse_vector(self.embedding_text)


def vector_literal(vector: np.ndarray) -> str:
    """Return the pgvector text form of a vector (bound as text, cast in SQL)."""
    return "[" + ",".join(f"{x:.6g}" for x in np.asarray(vector).tolist()) + "]"


def parse_vector(literal: str) -> np.ndarray:
    """Return the vector of a pgvector text literal."""
    return np.array(literal[1:-1].split(","), dtype=np.float32)


def candidate_pool(
    session: Session,
    *,
    user_id: str,
    topic: np.ndarray,
    intent: str,
    pool: int,
    match_distance: float,
    learning: bool,
    recent: int = RECENT_MEMORIES,
) -> list[PoolRow]:
    """Return the `pool` memories nearest the topic, each with its past success weight."""
    rows = session.execute(
        CANDIDATES,
        {
            "cur": vector_literal(topic),
            "u": user_id,
            "intent": intent,
            "pool": pool,
            "recent": recent,
            "match": match_distance,
            "learn": learning,
        },
    ).all()
    return [
        PoolRow(
            id=row.id,
            text=row.text,
            embedding_text=row.embedding,
            similarity=float(row.similarity),
            past_weight=None if row.past_weight is None else float(row.past_weight),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class StoredTransition:
    """The row an observed transition landed in."""

    id: uuid.UUID
    success_weight: float
    attempts: int
    created: bool


def upsert_transition(
    session: Session,
    *,
    user_id: str,
    source: np.ndarray,
    target: np.ndarray,
    transition_type: str,
    intent: str,
    success: float,
    rate: float,
    within: float,
    now: datetime,
) -> StoredTransition:
    """Fold one observed success into the matching row (EMA), or start a row at it.

    The transaction commits without waiting for its WAL flush: a crash may lose the last
    few updates of a learned weight (never corrupt one), and a turn does not wait for a disk.
    """
    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    row = session.execute(
        UPSERT,
        {
            "s": vector_literal(source),
            "t": vector_literal(target),
            "u": user_id,
            "intent": intent,
            "within": within,
            "rate": rate,
            "success": success,
            "now": now,
            "id": uuid.uuid4(),
            "type": transition_type,
        },
    ).one()
    return StoredTransition(row.id, float(row.success_weight), int(row.attempts), bool(row.created))

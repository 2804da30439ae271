"""Memories (per user, hybrid-searchable), golden examples and per-user settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Computed, Float, Index, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk

# The vector dimension is fixed by the migration from the embedding settings; the ORM column
# is dimensionless so the same models serve every configured dimension.
TSV_EXPRESSION = "to_tsvector('english', coalesce(speaker, '') || ' ' || text)"


class Memory(Base):
    """One memory of one user, with its provenance, counters and search columns."""

    __tablename__ = "memories"
    __table_args__ = (
        Index("ix_memories_user_occurred", "user_id", "occurred_at"),
        Index("ix_memories_tsv", "tsv", postgresql_using="gin"),
        Index(
            "ix_memories_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(nullable=False)
    speaker: Mapped[str | None] = mapped_column(String(200))
    source_turn_ids: Mapped[list[str]] = mapped_column(ARRAY(String), nullable=False, default=list)
    provenance: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String), nullable=False, default=list)
    occurred_at: Mapped[datetime] = mapped_column(nullable=False, server_default=func.now())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(nullable=False, server_default=func.now())
    times_retrieved: Mapped[int] = mapped_column(nullable=False, default=0)
    times_used: Mapped[int] = mapped_column(nullable=False, default=0)
    times_helpful: Mapped[int] = mapped_column(nullable=False, default=0)
    quality_score: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(nullable=False, default=False)
    superseded_by: Mapped[uuid.UUID | None]
    embedding: Mapped[list[float]] = mapped_column(Vector(), nullable=False)
    tsv: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(TSV_EXPRESSION, persisted=True), nullable=False
    )


class GoldenExample(Base):
    """A question with known ground truth, derived from a scenario probe or an online turn."""

    __tablename__ = "golden_examples"
    __table_args__ = (Index("ix_golden_examples_source", "source", "scenario_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    scenario_id: Mapped[str | None] = mapped_column(String(200))
    probe_id: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(nullable=False)
    expected_answer: Mapped[str | None]
    expected_evidence: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    forbidden: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    unanswerable: Mapped[bool] = mapped_column(nullable=False, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at()


class UserSettings(Base):
    """Per-user switches (a user who opts out of the mirror loop is neither logged nor steered)."""

    __tablename__ = "user_settings"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    mirror_enabled: Mapped[bool] = mapped_column(nullable=False, default=True)
    # A user who opts out of profiling is not tracked by the topic micrograph (§9).
    profiling_enabled: Mapped[bool] = mapped_column(
        nullable=False, default=True, server_default=text("true")
    )
    # The assistant's intent with this user (e.g. "support"); None means casual chat.
    agent_intent: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(nullable=False, server_default=func.now())

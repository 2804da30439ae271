"""Tables of the two tool-node learners: the topic micrograph (§9) and the mirror loop (§10)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Float, Identity, Index, PrimaryKeyConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk


class TopicTransition(Base):
    """A remembered jump from one topic to another and how well it worked."""

    __tablename__ = "topic_transitions"
    __table_args__ = (Index("ix_topic_transitions_user_intent", "user_id", "agent_intent"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = mapped_column(String(200), nullable=False)
    source_embedding: Mapped[list[float]] = mapped_column(Vector(), nullable=False)
    target_embedding: Mapped[list[float]] = mapped_column(Vector(), nullable=False)
    transition_type: Mapped[str] = mapped_column(String(64), nullable=False)
    agent_intent: Mapped[str] = mapped_column(String(64), nullable=False)
    success_weight: Mapped[float] = mapped_column(
        Float, nullable=False, default=0.5, server_default=text("0.5")
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0, server_default=text("0"))
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class MicrographTurn(Base):
    """What the micrograph did on one user message: TEC, the jump it chose, or why it skipped.

    `episode_id` ties simulated turns to their episode, so an engagement metric (mean TEC per
    episode) can be aggregated next to the probe metrics.
    """

    __tablename__ = "micrograph_turns"
    __table_args__ = (
        Index("ix_micrograph_turns_episode", "episode_id"),
        Index("ix_micrograph_turns_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    # No foreign key: the Student batches its telemetry, so the run may be written later.
    pipeline_id: Mapped[uuid.UUID | None]
    episode_id: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[str] = mapped_column(String(200), nullable=False)
    agent_intent: Mapped[str] = mapped_column(String(64), nullable=False)
    tec: Mapped[float | None] = mapped_column(Float)
    similarity: Mapped[float | None] = mapped_column(Float)
    density: Mapped[float | None] = mapped_column(Float)
    exhausted: Mapped[bool] = mapped_column(nullable=False, default=False)
    transition_type: Mapped[str | None] = mapped_column(String(64))
    candidates: Mapped[int] = mapped_column(nullable=False, default=0)
    success: Mapped[float | None] = mapped_column(Float)
    skipped: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    created_at: Mapped[datetime] = created_at()


class MirrorEvent(Base):
    """One feedback episode of the mirror loop: field aggregates only, never personal content."""

    __tablename__ = "mirror_events"
    __table_args__ = (
        Index("idx_mirror_ts", "ts"),
        Index("idx_mirror_bucket", "bucket_key"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    ts: Mapped[datetime] = mapped_column(nullable=False)
    user_count: Mapped[int] = mapped_column(nullable=False)
    tone: Mapped[str] = mapped_column(String(16), nullable=False)
    intensity: Mapped[float] = mapped_column(Float, nullable=False)
    pre_coherence: Mapped[float] = mapped_column(Float, nullable=False)
    post_coherence: Mapped[float] = mapped_column(Float, nullable=False)
    pre_entropy: Mapped[float] = mapped_column(Float, nullable=False)
    post_entropy: Mapped[float] = mapped_column(Float, nullable=False)
    pre_pad: Mapped[list[Any]] = mapped_column(nullable=False)
    post_pad: Mapped[list[Any]] = mapped_column(nullable=False)
    dt_ms: Mapped[int] = mapped_column(nullable=False)
    bucket_key: Mapped[str] = mapped_column(String(64), nullable=False)
    # For off-policy evaluation: the arm's bin, the probability the policy gave it, where it
    # came from (greedy, explore, fallback), and whether its bucket had policy data.
    intensity_bin: Mapped[int | None] = mapped_column()
    propensity: Mapped[float | None] = mapped_column(Float)
    action_source: Mapped[str | None] = mapped_column(String(16))
    covered: Mapped[bool | None] = mapped_column()


class PolicyEntry(Base):
    """The learned mean reward of one (bucket, tone, intensity bin) arm."""

    __tablename__ = "policy_table"
    __table_args__ = (
        PrimaryKeyConstraint("bucket_key", "tone", "intensity_bin", name="pk_policy_table"),
        Index("idx_policy_bucket", "bucket_key"),
    )

    bucket_key: Mapped[str] = mapped_column(String(64))
    tone: Mapped[str] = mapped_column(String(16))
    intensity_bin: Mapped[int] = mapped_column()
    reward_avg: Mapped[float] = mapped_column(Float, nullable=False)
    n: Mapped[int] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)

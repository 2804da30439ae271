"""Simulated episodes and the per-probe scores the Teacher evaluates with SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Identity, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at


class Episode(Base):
    """One (scenario, seed, parameter version) run; its id is deterministic, so a resumed
    campaign replaces an unfinished episode instead of counting it twice."""

    __tablename__ = "episodes"
    __table_args__ = (
        Index("ix_episodes_experiment", "experiment_id", "variant", "status"),
        Index("ix_episodes_campaign", "campaign_id"),
    )

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str | None] = mapped_column(String(100))
    scenario_id: Mapped[str] = mapped_column(String(200), nullable=False)
    seed: Mapped[int] = mapped_column(nullable=False)
    look: Mapped[int | None]
    parameter_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("experiment_parameters.id")
    )
    cycle_type: Mapped[str] = mapped_column(String(8), nullable=False, default="macro")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="running")
    turns: Mapped[int] = mapped_column(nullable=False, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    started_at: Mapped[datetime] = created_at()
    finished_at: Mapped[datetime | None]


class ProbeResult(Base):
    """The deterministic scores of one probe of one episode (SPEC §6)."""

    __tablename__ = "probe_results"
    __table_args__ = (
        Index("ix_probe_results_episode", "episode_id"),
        Index("ix_probe_results_experiment", "experiment_id", "variant"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False
    )
    pipeline_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pipeline_runs.id", ondelete="SET NULL")
    )
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str | None] = mapped_column(String(100))
    scenario_id: Mapped[str] = mapped_column(String(200), nullable=False)
    probe_id: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str | None] = mapped_column(String(32))
    unanswerable: Mapped[bool] = mapped_column(nullable=False, default=False)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)
    hit: Mapped[bool | None]
    context_precision: Mapped[float | None] = mapped_column(Float)
    answer_correct: Mapped[bool | None]
    answer_f1: Mapped[float | None] = mapped_column(Float)
    hallucination: Mapped[bool | None]
    abstention: Mapped[bool | None]
    context_utilisation: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    tokens: Mapped[int | None]
    cost_usd: Mapped[float | None] = mapped_column(Float)
    error: Mapped[bool] = mapped_column(nullable=False, default=False)
    judge_label: Mapped[str | None] = mapped_column(String(32))
    judge_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = created_at()

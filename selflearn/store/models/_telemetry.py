"""Telemetry: one `pipeline_runs` row per Student turn, `telemetry_events` per stage (SPEC §5)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk

CYCLE_TYPES = ("micro", "macro", "deep", "online")
STAGES = ("analyzer", "assembler", "responder", "e2e")


class PipelineRun(Base):
    """One turn of the Student: who asked, on which parameter version, and how it went."""

    __tablename__ = "pipeline_runs"
    __table_args__ = (
        CheckConstraint("cycle_type IN ('micro','macro','deep','online')", name="cycle_type"),
        Index("ix_pipeline_runs_experiment", "experiment_id", "variant"),
        Index("ix_pipeline_runs_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[str] = mapped_column(String(200), nullable=False)
    parameter_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("experiment_parameters.id")
    )
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str | None] = mapped_column(String(100))
    cycle_type: Mapped[str] = mapped_column(String(8), nullable=False, default="online")
    episode_id: Mapped[str | None] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(nullable=False, default="")
    answer: Mapped[str | None]
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="ok")
    error_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()


class TelemetryEvent(Base):
    """One stage of one turn, with exactly the columns SPEC §5 fixes."""

    __tablename__ = "telemetry_events"
    __table_args__ = (
        CheckConstraint("cycle_type IN ('micro','macro','deep','online')", name="cycle_type"),
        CheckConstraint("stage IN ('analyzer','assembler','responder','e2e')", name="stage"),
        Index("idx_telemetry_experiment_variant", "experiment_id", "variant"),
        Index("idx_telemetry_cycle_created", "cycle_type", "created_at"),
        Index("idx_telemetry_pipeline", "pipeline_id"),
        # The console's dashboards: one stage over a time window, without the heap.
        Index(
            "ix_telemetry_stage_created",
            "stage",
            "created_at",
            postgresql_include=[
                "latency_ms",
                "hit_rate",
                "prompt_tokens",
                "completion_tokens",
                "total_cost_usd",
                "pipeline_id",
            ],
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pipeline_runs.id", ondelete="CASCADE"), nullable=False
    )
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str | None] = mapped_column(String(100))
    cycle_type: Mapped[str] = mapped_column(String(8), nullable=False, default="online")
    created_at: Mapped[datetime] = created_at()
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    memories_found: Mapped[int | None]
    memories_used: Mapped[int | None]
    hit_rate: Mapped[float | None] = mapped_column(Float)
    avg_memory_age_days: Mapped[float | None] = mapped_column(Float)
    tag_overlap_score: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    total_cost_usd: Mapped[float | None] = mapped_column(Float)
    retrieval_relevant: Mapped[bool | None]
    context_utilized: Mapped[bool | None]
    hallucination_detected: Mapped[bool | None]
    retry_count: Mapped[int | None]
    error_type: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[str | None] = mapped_column(String(200))
    isolation_ok: Mapped[bool | None]

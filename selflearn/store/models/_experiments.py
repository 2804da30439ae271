"""Goals, campaigns, experiments and their results, proposals and the learning journal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Identity, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk


class Goal(Base):
    """An owner's goal as said and as the typed GoalSpec the Manager made of it."""

    __tablename__ = "goals"

    id: Mapped[uuid.UUID] = uuid_pk()
    text: Mapped[str] = mapped_column(nullable=False)
    spec: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    created_at: Mapped[datetime] = created_at()


class Campaign(Base):
    """One run of the campaign graph, resumable from its checkpoint thread."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_started", "started_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goals.id"))
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="running")
    seed: Mapped[int] = mapped_column(nullable=False, default=0)
    config: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    report: Mapped[dict[str, Any] | None]
    started_at: Mapped[datetime] = created_at()
    finished_at: Mapped[datetime | None]


class Experiment(Base):
    """An A/B experiment as the Teacher designed it (the `prepare_experiment` payload)."""

    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"))
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goals.id"))
    hypothesis: Mapped[str] = mapped_column(nullable=False, default="")
    design: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="planned")
    verdict: Mapped[str | None] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = created_at()
    finished_at: Mapped[datetime | None]


class ExperimentResult(Base):
    """One look at one metric of one variant: effect, interval, anytime p-value."""

    __tablename__ = "experiment_results"
    __table_args__ = (Index("ix_experiment_results_experiment", "experiment_id", "variant"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id"), nullable=False)
    variant: Mapped[str] = mapped_column(String(100), nullable=False)
    metric: Mapped[str] = mapped_column(String(100), nullable=False)
    look: Mapped[int] = mapped_column(nullable=False, default=1)
    n: Mapped[int] = mapped_column(nullable=False)
    baseline_mean: Mapped[float | None]
    variant_mean: Mapped[float | None]
    effect: Mapped[float | None]
    ci_low: Mapped[float | None]
    ci_high: Mapped[float | None]
    p_value: Mapped[float | None]
    verdict: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at()


class Proposal(Base):
    """A change waiting for the owner's approval (manual zone or beyond autonomy)."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("status IN ('pending','approved','rejected','expired')", name="status"),
        Index("ix_proposals_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    reason: Mapped[str] = mapped_column(nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str | None]


class JournalEntry(Base):
    """One learning-journal entry: a hypothesis, decision or action with its evidence."""

    __tablename__ = "learning_journal"
    __table_args__ = (Index("ix_learning_journal_created", "created_at"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    summary: Mapped[str] = mapped_column(nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


class ManagerMessage(Base):
    """One message of a conversation between the owner and the Manager."""

    __tablename__ = "manager_messages"
    __table_args__ = (Index("ix_manager_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at()

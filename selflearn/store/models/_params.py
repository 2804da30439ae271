"""Parameter versions (immutable rows) and their append-only change log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk

VERSION_STATUSES = ("draft", "candidate", "active", "retired", "rolled_back")


class ParameterVersion(Base):
    """One immutable set of impact-factor values; only its status may change."""

    __tablename__ = "experiment_parameters"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','candidate','active','retired','rolled_back')", name="status"
        ),
        # The database, not the code, guarantees at most one active version.
        Index(
            "uq_experiment_parameters_one_active",
            "status",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_experiment_parameters_experiment", "experiment_id", "variant"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    version: Mapped[int] = mapped_column(Identity(start=1), unique=True, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experiment_parameters.id"))
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    variant: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(nullable=False, default="")
    initiated_by: Mapped[str] = mapped_column(String(100), nullable=False, default="system")
    created_at: Mapped[datetime] = created_at()
    activated_at: Mapped[datetime | None]


class ParameterChange(Base):
    """One entry of the append-only log of everything done to parameter versions."""

    __tablename__ = "parameter_changes"
    __table_args__ = (Index("ix_parameter_changes_version", "version_id", "created_at"),)

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("experiment_parameters.id"))
    from_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("experiment_parameters.id")
    )
    changes: Mapped[list[Any]] = mapped_column(nullable=False, default=list)
    reason: Mapped[str] = mapped_column(nullable=False, default="")
    initiated_by: Mapped[str] = mapped_column(String(100), nullable=False, default="system")
    experiment_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()

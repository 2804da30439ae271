"""Fixtures for the Tuner tests: a clean parameter history per test and a state snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from selflearn.store import session_scope
from selflearn.store.models import ParameterChange, ParameterVersion, Proposal
from selflearn.tuner import active_version

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class TunerState:
    """Everything a refused operation must leave as it was."""

    active: object
    versions: tuple[tuple[int, str], ...]
    changes: int
    proposals: tuple[tuple[int, str], ...]


@pytest.fixture
def t0() -> datetime:
    """The injected clock's starting point."""
    return T0


@pytest.fixture
def engine(database):
    """This module's engine, with the Tuner's tables emptied before each test."""
    # TRUNCATE fires no row triggers, so the append-only guards do not stop it (tests only).
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE parameter_changes, experiment_parameters, proposals, "
                "experiment_results, experiments RESTART IDENTITY CASCADE"
            )
        )
    return database.engine


@pytest.fixture
def snapshot(engine) -> Callable[[], TunerState]:
    """Return a function that captures the Tuner's state."""

    def take() -> TunerState:
        with session_scope(engine) as session:
            active = active_version(session=session)
            versions = session.execute(
                select(ParameterVersion.version, ParameterVersion.status).order_by(
                    ParameterVersion.version
                )
            ).all()
            changes = session.scalar(select(func.count()).select_from(ParameterChange))
            proposals = session.execute(
                select(Proposal.id, Proposal.status).order_by(Proposal.id)
            ).all()
            return TunerState(
                active=None if active is None else active.id,
                versions=tuple(tuple(row) for row in versions),
                changes=int(changes or 0),
                proposals=tuple(tuple(row) for row in proposals),
            )

    return take


@pytest.fixture
def bootstrapped(engine, t0):
    """A clean history with version 1 (the defaults) active."""
    from selflearn.tuner import ensure_active_version

    with session_scope(engine) as session:
        return ensure_active_version(session=session, now=t0)

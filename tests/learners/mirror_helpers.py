"""Shared helpers of the mirror loop's tests: a clock that tests move, and field states."""

from __future__ import annotations

from datetime import UTC, datetime

from selflearn.learners.mirror import FieldState
from tests.factories import StepClock as FactoryClock

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


class StepClock(FactoryClock):
    """The shared test clock, starting at T0 (a Monday, 14:00 UTC)."""

    def __init__(self, start: datetime = T0) -> None:
        super().__init__(start)


def state(
    coherence: float = 0.5,
    entropy: float = 0.5,
    pad: tuple[float, float, float] = (0.2, 0.1, 0.0),
    users: int = 10,
    ts: datetime = T0,
) -> FieldState:
    """Return a field state (defaults: a mid field with pleasure dominant)."""
    return FieldState(coherence, entropy, pad[0], pad[1], pad[2], users, ts)

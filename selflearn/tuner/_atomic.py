"""All-or-nothing writes: a refused or failed operation leaves the session as it found it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError


def activation_race() -> ConflictError:
    """Return the error for an activation that lost to a concurrent one."""
    return ConflictError(
        "another activation happened at the same time",
        hint="Reload the versions (`selflearn params list`) and try again if still wanted.",
    )


@contextmanager
def atomic(
    session: Session, *, on_conflict: Callable[[], ConflictError] = activation_race
) -> Iterator[None]:
    """Run the block in a savepoint; on any error roll it back, so nothing is half-written.

    An IntegrityError means a concurrent writer got there first (for activations, the
    partial unique index on active versions); it becomes `on_conflict()`.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as error:
        raise on_conflict() from error

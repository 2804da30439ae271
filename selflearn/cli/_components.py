"""The composition root as one command uses it: opened when needed, closed when done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from selflearn.bootstrap import Components


@contextmanager
def components() -> Iterator[Components]:
    """Open the settings' database and build every component for the length of a command."""
    # Imported here: the roles and the graph are heavy, and `--help` should not pay for them.
    from selflearn.bootstrap import open_components

    opened = open_components()
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def store_session() -> Iterator[Session]:
    """Yield one database session for a command that only reads or writes the store."""
    from selflearn.store import session_scope

    with components() as opened, session_scope(opened.database.engine) as session:
        yield session

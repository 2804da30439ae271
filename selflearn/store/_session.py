"""The one session context manager: commit on success, roll back and map errors on failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from selflearn.errors import ConflictError, DatabaseUnavailableError, StoreError

_factories: dict[int, sessionmaker[Session]] = {}


def _factory(engine: Engine) -> sessionmaker[Session]:
    key = id(engine)
    if key not in _factories:
        _factories[key] = sessionmaker(engine, expire_on_commit=False)
    return _factories[key]


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits when the block ends and rolls back if it raises."""
    session = _factory(engine)()
    try:
        yield session
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ConflictError(
            f"the database refused the change: {_first_line(error)}",
            hint="Another change got there first; reload the state and try again.",
        ) from error
    except OperationalError as error:
        session.rollback()
        raise DatabaseUnavailableError(f"database error: {_first_line(error)}") from error
    except SQLAlchemyError as error:
        session.rollback()
        raise StoreError(f"database error: {_first_line(error)}") from error
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _first_line(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0]

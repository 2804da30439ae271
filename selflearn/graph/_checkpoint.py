"""LangGraph checkpoints in the same PostgreSQL database as everything else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy import make_url

from selflearn.store import Database


def libpq_url(database: Database) -> str:
    """Return the database URL in the form psycopg's own connect() takes."""
    url = make_url(database.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextmanager
def open_checkpointer(database: Database, *, max_size: int = 4) -> Iterator[PostgresSaver]:
    """Yield a set-up PostgresSaver on a small connection pool.

    Its connections must autocommit, or checkpoints are silently never persisted.
    """
    pool = ConnectionPool(
        libpq_url(database),
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=True,
    )
    try:
        saver = PostgresSaver(pool)  # type: ignore[arg-type]
        saver.setup()
        yield saver
    finally:
        pool.close()

"""Open the database: the embedded server or DATABASE_URL, checked and migrated on first use."""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from selflearn.errors import DatabaseUnavailableError, PgvectorMissingError
from selflearn.settings import Settings
from selflearn.store._embedded import DATABASE_NAME, embedded_url, start_embedded

logger = logging.getLogger(__name__)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


@dataclass(frozen=True)
class Database:
    """An open, migrated database and where it came from."""

    url: str
    engine: Engine
    embedded: bool
    server: Any = None

    def close(self) -> None:
        """Release the connections (the embedded server stops when its last user exits)."""
        self.engine.dispose()

    @property
    def display_url(self) -> str:
        """Return the URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)


def normalise_url(url: str) -> str:
    """Make a libpq-style URL use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _connect_with_retry(engine: Engine, *, attempts: int = 4) -> None:
    # Right after the embedded postmaster was killed, the first connection can be refused.
    delay = 0.2
    for attempt in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay *= 2


def _ensure_database(server: Any, name: str) -> None:
    admin = create_engine(embedded_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        _connect_with_retry(admin)
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                except SQLAlchemyError:
                    # Another process created it at the same moment.
                    pass
    finally:
        admin.dispose()


def _check_pgvector(engine: Engine, display: str) -> None:
    with engine.connect() as conn:
        available = conn.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        ).first()
    if not available:
        raise PgvectorMissingError(f"the PostgreSQL server at {display} has no pgvector extension")


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Connect to the configured database, start the embedded one if needed, and migrate it."""
    server = None
    if settings.database_url:
        url = normalise_url(settings.database_url)
        embedded = False
    else:
        server = start_embedded(settings.pgdata)
        _ensure_database(server, DATABASE_NAME)
        url = embedded_url(server)
        embedded = True
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    display = make_url(url).render_as_string(hide_password=True)
    try:
        _connect_with_retry(engine)
    except (OperationalError, SQLAlchemyError) as error:
        engine.dispose()
        origin = "DATABASE_URL" if not embedded else "the embedded PostgreSQL"
        detail = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise DatabaseUnavailableError(
            f"cannot connect to {origin} ({display}): {detail}",
            hint="Check DATABASE_URL (host, port, user, password, database) and that the "
            "server is running, or unset DATABASE_URL to use the embedded PostgreSQL.",
        ) from None
    _check_pgvector(engine, display)
    database = Database(url=url, engine=engine, embedded=embedded, server=server)
    if migrate:
        from selflearn.store._migrate import upgrade

        upgrade(database, dimension=settings.embedding.dimension)
    return database

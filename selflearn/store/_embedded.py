"""The embedded PostgreSQL server (pgserver) kept in the data directory."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from selflearn.errors import ConfigError, DatabaseUnavailableError

logger = logging.getLogger(__name__)

_MAX_PGDATA_CHARS = 90
DATABASE_NAME = "selflearn"


def _check_data_dir(pgdata: Path) -> None:
    if len(str(pgdata)) > _MAX_PGDATA_CHARS:
        raise ConfigError(
            f"the data directory path {pgdata} is too long for PostgreSQL's socket",
            hint=f"Set SELFLEARN_HOME to a path shorter than {_MAX_PGDATA_CHARS - 3} characters.",
        )
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        probe = pgdata.parent / f".write-probe-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise ConfigError(
            f"the data directory {pgdata.parent} is not writable ({error.strerror or error})",
            hint="Set SELFLEARN_HOME to a writable folder, or set DATABASE_URL to use "
            "your own PostgreSQL with pgvector.",
        ) from None


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop pids of processes that died without cleanup (kill -9) from pgserver's handle list.

    pgserver stops the server when its last registered process exits; a SIGKILLed process
    never deregisters, which would keep the server running forever.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _pid_alive(int(pid))]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_embedded(pgdata: Path) -> Any:
    """Start (or join) the embedded server in `pgdata`; it stops when the last user exits."""
    try:
        import pgserver
    except ImportError:
        raise ConfigError(
            "the embedded PostgreSQL (pgserver) is not installed for this Python",
            hint="pgserver has wheels for CPython 3.9-3.12: rebuild .venv with one of those "
            "(make clean && make), or set DATABASE_URL to a PostgreSQL with pgvector, e.g. "
            "Debian's postgresql and postgresql-15-pgvector.",
        ) from None
    _check_data_dir(pgdata)
    _forget_dead_handles(pgdata)
    try:
        return pgserver.get_server(pgdata, cleanup_mode="stop")
    except Exception as error:  # pgserver raises bare subprocess/assertion errors
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
        raise DatabaseUnavailableError(
            f"the embedded PostgreSQL in {pgdata} did not start: {error}\n{tail}".strip(),
            hint="Check the log above; remove a stale postmaster.pid if no server is running, "
            "or set DATABASE_URL to another PostgreSQL with pgvector.",
        ) from None


def embedded_url(server: Any, database: str = DATABASE_NAME) -> str:
    """Return the SQLAlchemy URL of a database on the embedded server (Unix socket)."""
    uri: str = server.get_uri(database)
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)

"""PostgreSQL + pgvector store: the embedded server, sessions, migrations and repositories."""

from selflearn.store._engine import Database, get_database, normalise_url, open_database
from selflearn.store._migrate import SchemaStatus, head_revision, status, upgrade
from selflearn.store._session import session_scope

__all__ = [
    "Database",
    "SchemaStatus",
    "get_database",
    "head_revision",
    "normalise_url",
    "open_database",
    "session_scope",
    "status",
    "upgrade",
]

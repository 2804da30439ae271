"""PostgreSQL + pgvector store: the embedded server, sessions, migrations and repositories."""

from selflearn.store._embedded import embedded_url, start_embedded
from selflearn.store._engine import Database, normalise_url, open_database
from selflearn.store._migrate import SchemaStatus, head_revision, status, upgrade
from selflearn.store._session import session_scope

__all__ = [
    "Database",
    "SchemaStatus",
    "embedded_url",
    "head_revision",
    "normalise_url",
    "open_database",
    "session_scope",
    "start_embedded",
    "status",
    "upgrade",
]

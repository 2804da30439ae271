"""PostgreSQL + pgvector store: the embedded server, sessions, migrations and repositories."""

from selflearn.store._embedded import embedded_url, start_embedded
from selflearn.store._engine import Database, normalise_url, open_database
from selflearn.store._migrate import SchemaStatus, head_revision, status, upgrade
from selflearn.store._namespaces import (
    SIMULATED_USER_PREFIX,
    is_simulated_user,
    like_prefix,
    real_users,
    simulated_under,
    simulated_user,
)
from selflearn.store._retention import PruneReport, prune_simulation_data
from selflearn.store._session import session_scope

__all__ = [
    "SIMULATED_USER_PREFIX",
    "Database",
    "PruneReport",
    "SchemaStatus",
    "embedded_url",
    "head_revision",
    "is_simulated_user",
    "like_prefix",
    "normalise_url",
    "open_database",
    "prune_simulation_data",
    "real_users",
    "session_scope",
    "simulated_under",
    "simulated_user",
    "start_embedded",
    "status",
    "upgrade",
]

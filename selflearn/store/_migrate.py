"""Alembic migrations shipped in the package: upgrade on first use, report the status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from selflearn.errors import ConfigError

if TYPE_CHECKING:
    from selflearn.store._engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# One fixed key so concurrent processes migrate one at a time.
_ADVISORY_LOCK = 0x5E1F1EA2


def alembic_config(dimension: int | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["embedding_dim"] = dimension
    return config


def _join(revisions: tuple[str, ...] | list[str]) -> str | None:
    # Independent branches of migrations may coexist; their heads are shown together.
    return "+".join(sorted(revisions)) or None


def head_revision() -> str:
    """Return the newest migration(s) shipped with this version of the package."""
    heads = _join(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert heads is not None
    return heads


def current_revision(database: Database) -> str | None:
    """Return the revision(s) the database is at (None for an empty database)."""
    with database.engine.connect() as conn:
        return _join(MigrationContext.configure(conn).get_current_heads())


def embedding_dimension(database: Database) -> int | None:
    """Return the dimension of the memories' vector column, as the schema fixed it."""
    with database.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT atttypmod FROM pg_attribute "
                "WHERE attrelid = to_regclass('memories') AND attname = 'embedding'"
            )
        ).first()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


def upgrade(database: Database, *, dimension: int) -> None:
    """Bring the schema to the head revision, then check the vector dimension matches."""
    with database.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK})
        try:
            current = _join(MigrationContext.configure(conn).get_current_heads())
            if current != head_revision():
                config = alembic_config(dimension)
                config.attributes["connection"] = conn
                command.upgrade(config, "heads")
                conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK})
            conn.commit()
    actual = embedding_dimension(database)
    if actual is not None and actual != dimension:
        raise ConfigError(
            f"the database stores {actual}-dimensional embeddings but the embedder is set "
            f"to {dimension}",
            hint=f"Set SELFLEARN_EMBEDDING__DIMENSION={actual} (and the embedder that made "
            "them), or use a fresh database.",
        )


@dataclass(frozen=True)
class SchemaStatus:
    """Where the schema stands against the migrations shipped with the package."""

    current: str | None
    head: str
    embedding_dimension: int | None

    @property
    def up_to_date(self) -> bool:
        """Return whether the database is at the head revision."""
        return self.current == self.head


def status(database: Database) -> SchemaStatus:
    """Return the schema status of an open database."""
    return SchemaStatus(
        current=current_revision(database),
        head=head_revision(),
        embedding_dimension=embedding_dimension(database),
    )

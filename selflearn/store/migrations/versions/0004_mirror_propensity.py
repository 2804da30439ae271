"""the mirror loop's off-policy columns: intensity bin, propensity, source, coverage

Revision ID: 0004_mirror_propensity
Revises: 0003_micrograph
Create Date: 2026-12-03

Every logged episode keeps the probability its policy gave the chosen arm (`propensity`),
where the arm came from (`action_source`: greedy, explore, fallback), its intensity bin, and
whether its bucket had policy data when the arm was chosen (`covered`), so that any other
policy can be evaluated off-line (inverse propensity, doubly robust) and the coverage of the
buckets measured. Nothing wrote `mirror_events` before this revision; the columns are
nullable so that such rows would stay readable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_mirror_propensity"
down_revision: str | None = "0003_micrograph"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("mirror_events", sa.Column("intensity_bin", sa.Integer(), nullable=True))
    op.add_column("mirror_events", sa.Column("propensity", sa.Float(), nullable=True))
    op.add_column("mirror_events", sa.Column("action_source", sa.String(16), nullable=True))
    op.add_column("mirror_events", sa.Column("covered", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("mirror_events", "covered")
    op.drop_column("mirror_events", "action_source")
    op.drop_column("mirror_events", "propensity")
    op.drop_column("mirror_events", "intensity_bin")

"""generated prompt versions

Revision ID: 0003_prompt_versions
Revises: 0002_episodes
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_prompt_versions"
down_revision: str | None = "0002_episodes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prompt_versions",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("system", sa.String(), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("version"),
        sa.UniqueConstraint("system"),
    )


def downgrade() -> None:
    op.drop_table("prompt_versions")

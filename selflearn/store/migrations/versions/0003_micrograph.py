"""micrograph turns; per-user profiling switch and agent intent

Revision ID: 0003_micrograph
Revises: 0002_episodes
Create Date: 2026-11-25

`micrograph_turns` is the topic micrograph's telemetry: one row per user message it saw (TEC,
the jump it chose, or why it skipped). `user_settings` gains `profiling_enabled` (a user who
opts out is not tracked) and `agent_intent` (the intent the micrograph learns under).
`topic_transitions` rows (two vectors, ~3 KB at 384 dimensions) are kept inline: out of line
in TOAST, every exact distance over a user's rows paid a TOAST fetch.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_micrograph"
down_revision: str | None = "0002_episodes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "micrograph_turns",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("pipeline_id", sa.UUID(), nullable=True),
        sa.Column("episode_id", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("agent_intent", sa.String(length=64), nullable=False),
        sa.Column("tec", sa.Float(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("density", sa.Float(), nullable=True),
        sa.Column("exhausted", sa.Boolean(), nullable=False),
        sa.Column("transition_type", sa.String(length=64), nullable=True),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("success", sa.Float(), nullable=True),
        sa.Column("skipped", sa.String(length=64), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_micrograph_turns")),
    )
    op.create_index("ix_micrograph_turns_episode", "micrograph_turns", ["episode_id"], unique=False)
    op.create_index("ix_micrograph_turns_user", "micrograph_turns", ["user_id", "created_at"], unique=False)
    op.add_column("user_settings", sa.Column("profiling_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False))
    op.add_column("user_settings", sa.Column("agent_intent", sa.String(length=64), nullable=True))
    op.execute("ALTER TABLE topic_transitions SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    op.execute("ALTER TABLE topic_transitions RESET (toast_tuple_target)")
    op.drop_column("user_settings", "agent_intent")
    op.drop_column("user_settings", "profiling_enabled")
    op.drop_index("ix_micrograph_turns_user", table_name="micrograph_turns")
    op.drop_index("ix_micrograph_turns_episode", table_name="micrograph_turns")
    op.drop_table("micrograph_turns")

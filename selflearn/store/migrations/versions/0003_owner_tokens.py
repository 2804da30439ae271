"""owner access (hashed API tokens, console sessions) and the indexes of the console's queries

Revision ID: 0003_owner_tokens
Revises: 0002_episodes
Create Date: 2026-12-02

The telemetry dashboards read a window of one stage at a time (p50/p95 latency per stage in
the last hour; hit rate, tokens and cost of the e2e stage per day): one index on
(stage, created_at) that carries those columns answers them with an index-only scan instead
of reading the whole table. Campaign lists are newest first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_owner_tokens"
down_revision: str | None = "0002_episodes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('viewer','operator','admin','service')", name=op.f("ck_api_tokens_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    )
    op.create_index("uq_api_tokens_hash", "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.UUID(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_console_sessions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
    )
    op.create_index("uq_console_sessions_hash", "console_sessions", ["session_hash"], unique=True)
    op.create_index("ix_console_sessions_token", "console_sessions", ["token_id"], unique=False)
    op.create_index(
        "ix_telemetry_stage_created",
        "telemetry_events",
        ["stage", "created_at"],
        unique=False,
        postgresql_include=[
            "latency_ms",
            "hit_rate",
            "prompt_tokens",
            "completion_tokens",
            "total_cost_usd",
            "pipeline_id",
        ],
    )
    op.create_index("ix_campaigns_started", "campaigns", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_campaigns_started", table_name="campaigns")
    op.drop_index("ix_telemetry_stage_created", table_name="telemetry_events")
    op.drop_index("ix_console_sessions_token", table_name="console_sessions")
    op.drop_index("uq_console_sessions_hash", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_index("uq_api_tokens_hash", table_name="api_tokens")
    op.drop_table("api_tokens")

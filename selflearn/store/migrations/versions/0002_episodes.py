"""episodes and probe results

Revision ID: 0002_episodes
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_episodes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "episodes",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("scenario_id", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("look", sa.Integer(), nullable=True),
        sa.Column("parameter_version_id", sa.UUID(), nullable=True),
        sa.Column("cycle_type", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("metrics", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["parameter_version_id"], ["experiment_parameters.id"], name=op.f("fk_episodes_parameter_version_id_experiment_parameters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
    )
    op.create_index("ix_episodes_campaign", "episodes", ["campaign_id"], unique=False)
    op.create_index("ix_episodes_experiment", "episodes", ["experiment_id", "variant", "status"], unique=False)
    op.create_table(
        "probe_results",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("episode_id", sa.String(length=300), nullable=False),
        sa.Column("pipeline_id", sa.UUID(), nullable=True),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("scenario_id", sa.String(length=200), nullable=False),
        sa.Column("probe_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("unanswerable", sa.Boolean(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=True),
        sa.Column("recall", sa.Float(), nullable=True),
        sa.Column("hit", sa.Boolean(), nullable=True),
        sa.Column("context_precision", sa.Float(), nullable=True),
        sa.Column("answer_correct", sa.Boolean(), nullable=True),
        sa.Column("answer_f1", sa.Float(), nullable=True),
        sa.Column("hallucination", sa.Boolean(), nullable=True),
        sa.Column("abstention", sa.Boolean(), nullable=True),
        sa.Column("context_utilisation", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("error", sa.Boolean(), nullable=False),
        sa.Column("judge_label", sa.String(length=32), nullable=True),
        sa.Column("judge_score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], name=op.f("fk_probe_results_episode_id_episodes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline_runs.id"], name=op.f("fk_probe_results_pipeline_id_pipeline_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probe_results")),
    )
    op.create_index("ix_probe_results_episode", "probe_results", ["episode_id"], unique=False)
    op.create_index("ix_probe_results_experiment", "probe_results", ["experiment_id", "variant"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_probe_results_experiment", table_name="probe_results")
    op.drop_index("ix_probe_results_episode", table_name="probe_results")
    op.drop_table("probe_results")
    op.drop_index("ix_episodes_experiment", table_name="episodes")
    op.drop_index("ix_episodes_campaign", table_name="episodes")
    op.drop_table("episodes")

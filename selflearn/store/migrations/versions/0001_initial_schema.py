"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 21:23:31.757164
"""

from collections.abc import Sequence

import pgvector.sqlalchemy  # noqa: F401  (autogenerate renders Vector columns through it)
import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dimension() -> int:
    """Return the embedding dimension the caller asked for, else the configured one."""
    dim = context.config.attributes.get("embedding_dim")
    if dim is None:
        from selflearn.settings import get_settings

        dim = get_settings().embedding.dimension
    return int(dim)


# Parameter versions are immutable: only their status and activation time may change,
# and neither they nor the change log may ever be deleted.
IMMUTABILITY = """
CREATE FUNCTION selflearn_forbid_param_edit() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'parameter versions are never deleted (version %)', OLD.version;
  END IF;
  IF NEW.params IS DISTINCT FROM OLD.params OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.parent_id IS DISTINCT FROM OLD.parent_id
     OR NEW.experiment_id IS DISTINCT FROM OLD.experiment_id
     OR NEW.variant IS DISTINCT FROM OLD.variant OR NEW.reason IS DISTINCT FROM OLD.reason
     OR NEW.initiated_by IS DISTINCT FROM OLD.initiated_by
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'parameter version % is immutable: create a new version', OLD.version;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER experiment_parameters_immutable BEFORE UPDATE OR DELETE ON experiment_parameters
  FOR EACH ROW EXECUTE FUNCTION selflearn_forbid_param_edit();
CREATE FUNCTION selflearn_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER parameter_changes_append_only BEFORE UPDATE OR DELETE ON parameter_changes
  FOR EACH ROW EXECUTE FUNCTION selflearn_append_only();
"""


def upgrade() -> None:
    dim = _dimension()
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "experiment_parameters",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), sa.Identity(always=False, start=1), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("initiated_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft','candidate','active','retired','rolled_back')",
            name=op.f("ck_experiment_parameters_status"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["experiment_parameters.id"],
            name=op.f("fk_experiment_parameters_parent_id_experiment_parameters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_parameters")),
        sa.UniqueConstraint("version", name=op.f("uq_experiment_parameters_version")),
    )
    op.create_index(
        "ix_experiment_parameters_experiment",
        "experiment_parameters",
        ["experiment_id", "variant"],
        unique=False,
    )
    op.create_index(
        "uq_experiment_parameters_one_active",
        "experiment_parameters",
        ["status"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    op.create_table(
        "golden_examples",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("scenario_id", sa.String(length=200), nullable=True),
        sa.Column("probe_id", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("expected_answer", sa.String(), nullable=True),
        sa.Column("expected_evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("forbidden", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("unanswerable", sa.Boolean(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_golden_examples")),
    )
    op.create_index(
        "ix_golden_examples_source", "golden_examples", ["source", "scenario_id"], unique=False
    )
    op.create_table(
        "learning_journal",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_journal")),
    )
    op.create_index("ix_learning_journal_created", "learning_journal", ["created_at"], unique=False)
    op.create_table(
        "manager_messages",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_messages")),
    )
    op.create_index(
        "ix_manager_messages_conversation",
        "manager_messages",
        ["conversation_id", "id"],
        unique=False,
    )
    op.create_table(
        "memories",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=True),
        sa.Column("source_turn_ids", postgresql.ARRAY(sa.String()), nullable=False),
        sa.Column("provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String()), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("times_retrieved", sa.Integer(), nullable=False),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("times_helpful", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("superseded_by", sa.UUID(), nullable=True),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=dim), nullable=False),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', coalesce(speaker, '') || ' ' || text)", persisted=True
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
    )
    op.create_index(
        "ix_memories_embedding_hnsw",
        "memories",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index("ix_memories_tsv", "memories", ["tsv"], unique=False, postgresql_using="gin")
    op.create_index(
        "ix_memories_user_occurred", "memories", ["user_id", "occurred_at"], unique=False
    )
    op.create_table(
        "mirror_events",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_count", sa.Integer(), nullable=False),
        sa.Column("tone", sa.String(length=16), nullable=False),
        sa.Column("intensity", sa.Float(), nullable=False),
        sa.Column("pre_coherence", sa.Float(), nullable=False),
        sa.Column("post_coherence", sa.Float(), nullable=False),
        sa.Column("pre_entropy", sa.Float(), nullable=False),
        sa.Column("post_entropy", sa.Float(), nullable=False),
        sa.Column("pre_pad", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("post_pad", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("dt_ms", sa.Integer(), nullable=False),
        sa.Column("bucket_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mirror_events")),
    )
    op.create_index("idx_mirror_bucket", "mirror_events", ["bucket_key"], unique=False)
    op.create_index("idx_mirror_ts", "mirror_events", ["ts"], unique=False)
    op.create_table(
        "policy_table",
        sa.Column("bucket_key", sa.String(length=64), nullable=False),
        sa.Column("tone", sa.String(length=16), nullable=False),
        sa.Column("intensity_bin", sa.Integer(), nullable=False),
        sa.Column("reward_avg", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket_key", "tone", "intensity_bin", name="pk_policy_table"),
    )
    op.create_index("idx_policy_bucket", "policy_table", ["bucket_key"], unique=False)
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_note", sa.String(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending','approved','rejected','expired')",
            name=op.f("ck_proposals_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index("ix_proposals_status", "proposals", ["status", "created_at"], unique=False)
    op.create_table(
        "topic_transitions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("source_embedding", pgvector.sqlalchemy.vector.VECTOR(dim=dim), nullable=False),
        sa.Column("target_embedding", pgvector.sqlalchemy.vector.VECTOR(dim=dim), nullable=False),
        sa.Column("transition_type", sa.String(length=64), nullable=False),
        sa.Column("agent_intent", sa.String(length=64), nullable=False),
        sa.Column("success_weight", sa.Float(), server_default=sa.text("0.5"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_transitions")),
    )
    op.create_index(
        "ix_topic_transitions_user_intent",
        "topic_transitions",
        ["user_id", "agent_intent"],
        unique=False,
    )
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("mirror_enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_settings")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_campaigns_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "parameter_changes",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("version_id", sa.UUID(), nullable=True),
        sa.Column("from_version_id", sa.UUID(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("initiated_by", sa.String(length=100), nullable=False),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["from_version_id"],
            ["experiment_parameters.id"],
            name=op.f("fk_parameter_changes_from_version_id_experiment_parameters"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["experiment_parameters.id"],
            name=op.f("fk_parameter_changes_version_id_experiment_parameters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_changes")),
    )
    op.create_index(
        "ix_parameter_changes_version",
        "parameter_changes",
        ["version_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("parameter_version_id", sa.UUID(), nullable=True),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("cycle_type", sa.String(length=8), nullable=False),
        sa.Column("episode_id", sa.String(length=200), nullable=True),
        sa.Column("query", sa.String(), nullable=False),
        sa.Column("answer", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_type", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cycle_type IN ('micro','macro','deep','online')",
            name=op.f("ck_pipeline_runs_cycle_type"),
        ),
        sa.ForeignKeyConstraint(
            ["parameter_version_id"],
            ["experiment_parameters.id"],
            name=op.f("fk_pipeline_runs_parameter_version_id_experiment_parameters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
    )
    op.create_index(
        "ix_pipeline_runs_experiment", "pipeline_runs", ["experiment_id", "variant"], unique=False
    )
    op.create_index(
        "ix_pipeline_runs_user_created", "pipeline_runs", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "experiments",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("hypothesis", sa.String(), nullable=False),
        sa.Column("design", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_experiments_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_experiments_goal_id_goals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
    op.create_table(
        "telemetry_events",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("pipeline_id", sa.UUID(), nullable=False),
        sa.Column("experiment_id", sa.String(length=200), nullable=True),
        sa.Column("variant", sa.String(length=100), nullable=True),
        sa.Column("cycle_type", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("memories_found", sa.Integer(), nullable=True),
        sa.Column("memories_used", sa.Integer(), nullable=True),
        sa.Column("hit_rate", sa.Float(), nullable=True),
        sa.Column("avg_memory_age_days", sa.Float(), nullable=True),
        sa.Column("tag_overlap_score", sa.Float(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("total_cost_usd", sa.Float(), nullable=True),
        sa.Column("retrieval_relevant", sa.Boolean(), nullable=True),
        sa.Column("context_utilized", sa.Boolean(), nullable=True),
        sa.Column("hallucination_detected", sa.Boolean(), nullable=True),
        sa.Column("retry_count", sa.Integer(), nullable=True),
        sa.Column("error_type", sa.String(length=100), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("isolation_ok", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "cycle_type IN ('micro','macro','deep','online')",
            name=op.f("ck_telemetry_events_cycle_type"),
        ),
        sa.CheckConstraint(
            "stage IN ('analyzer','assembler','responder','e2e')",
            name=op.f("ck_telemetry_events_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipeline_runs.id"],
            name=op.f("fk_telemetry_events_pipeline_id_pipeline_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telemetry_events")),
    )
    op.create_index(
        "idx_telemetry_cycle_created",
        "telemetry_events",
        ["cycle_type", "created_at"],
        unique=False,
    )
    op.create_index(
        "idx_telemetry_experiment_variant",
        "telemetry_events",
        ["experiment_id", "variant"],
        unique=False,
    )
    op.create_index("idx_telemetry_pipeline", "telemetry_events", ["pipeline_id"], unique=False)
    op.create_table(
        "experiment_results",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("experiment_id", sa.String(length=200), nullable=False),
        sa.Column("variant", sa.String(length=100), nullable=False),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("look", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("baseline_mean", sa.Double(), nullable=True),
        sa.Column("variant_mean", sa.Double(), nullable=True),
        sa.Column("effect", sa.Double(), nullable=True),
        sa.Column("ci_low", sa.Double(), nullable=True),
        sa.Column("ci_high", sa.Double(), nullable=True),
        sa.Column("p_value", sa.Double(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_results_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_results")),
    )
    op.create_index(
        "ix_experiment_results_experiment",
        "experiment_results",
        ["experiment_id", "variant"],
        unique=False,
    )
    op.execute(IMMUTABILITY)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS parameter_changes_append_only ON parameter_changes")
    op.execute("DROP TRIGGER IF EXISTS experiment_parameters_immutable ON experiment_parameters")
    op.execute("DROP FUNCTION IF EXISTS selflearn_append_only()")
    op.execute("DROP FUNCTION IF EXISTS selflearn_forbid_param_edit()")
    op.drop_index("ix_experiment_results_experiment", table_name="experiment_results")
    op.drop_table("experiment_results")
    op.drop_index("idx_telemetry_pipeline", table_name="telemetry_events")
    op.drop_index("idx_telemetry_experiment_variant", table_name="telemetry_events")
    op.drop_index("idx_telemetry_cycle_created", table_name="telemetry_events")
    op.drop_table("telemetry_events")
    op.drop_table("experiments")
    op.drop_index("ix_pipeline_runs_user_created", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_experiment", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    op.drop_index("ix_parameter_changes_version", table_name="parameter_changes")
    op.drop_table("parameter_changes")
    op.drop_table("campaigns")
    op.drop_table("user_settings")
    op.drop_index("ix_topic_transitions_user_intent", table_name="topic_transitions")
    op.drop_table("topic_transitions")
    op.drop_index("ix_proposals_status", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index("idx_policy_bucket", table_name="policy_table")
    op.drop_table("policy_table")
    op.drop_index("idx_mirror_ts", table_name="mirror_events")
    op.drop_index("idx_mirror_bucket", table_name="mirror_events")
    op.drop_table("mirror_events")
    op.drop_index("ix_memories_user_occurred", table_name="memories")
    op.drop_index("ix_memories_tsv", table_name="memories", postgresql_using="gin")
    op.drop_index(
        "ix_memories_embedding_hnsw",
        table_name="memories",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_table("memories")
    op.drop_index("ix_manager_messages_conversation", table_name="manager_messages")
    op.drop_table("manager_messages")
    op.drop_index("ix_learning_journal_created", table_name="learning_journal")
    op.drop_table("learning_journal")
    op.drop_index("ix_golden_examples_source", table_name="golden_examples")
    op.drop_table("golden_examples")
    op.drop_table("goals")
    op.drop_index(
        "uq_experiment_parameters_one_active",
        table_name="experiment_parameters",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index("ix_experiment_parameters_experiment", table_name="experiment_parameters")
    op.drop_table("experiment_parameters")

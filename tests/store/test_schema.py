"""The migrated schema: tables, constraints and the one-active-version guarantee."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import inspect, select, text

from selflearn.errors import ConflictError, StoreError
from selflearn.store import head_revision, session_scope, status
from selflearn.store.models import ParameterChange, ParameterVersion, TelemetryEvent

SPEC_TABLES = {
    "experiment_parameters",
    "parameter_changes",
    "experiments",
    "experiment_results",
    "goals",
    "proposals",
    "learning_journal",
    "pipeline_runs",
    "telemetry_events",
    "memories",
    "golden_examples",
    "topic_transitions",
    "mirror_events",
    "policy_table",
    "user_settings",
    "campaigns",
    "manager_messages",
}


def test_migration_creates_every_table_at_head(database):
    tables = set(inspect(database.engine).get_table_names())
    assert SPEC_TABLES <= tables
    state = status(database)
    assert state.current == head_revision()
    assert state.up_to_date
    assert state.embedding_dimension == 384


def test_telemetry_has_exact_spec_columns_and_indexes(database):
    inspector = inspect(database.engine)
    columns = {c["name"] for c in inspector.get_columns("telemetry_events")}
    expected = {
        "id", "pipeline_id", "experiment_id", "variant", "cycle_type", "created_at", "stage",
        "latency_ms", "memories_found", "memories_used", "hit_rate", "avg_memory_age_days",
        "tag_overlap_score", "prompt_tokens", "completion_tokens", "total_cost_usd",
        "retrieval_relevant", "context_utilized", "hallucination_detected", "retry_count",
        "error_type", "user_id", "isolation_ok",
    }  # fmt: skip
    assert columns == expected
    indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes("telemetry_events")}
    assert {("experiment_id", "variant"), ("cycle_type", "created_at"), ("pipeline_id",)} <= indexed
    assert TelemetryEvent.__tablename__ == "telemetry_events"


def test_cycle_type_check_rejects_unknown_values(database):
    with pytest.raises(ConflictError):
        with session_scope(database.engine) as session:
            session.execute(
                text(
                    "INSERT INTO pipeline_runs (id, user_id, cycle_type, query, status) "
                    "VALUES (:id, 'u', 'hourly', '', 'ok')"
                ),
                {"id": uuid.uuid4()},
            )


def test_learner_tables_have_spec_keys(database):
    inspector = inspect(database.engine)
    assert inspector.get_pk_constraint("policy_table")["constrained_columns"] == [
        "bucket_key",
        "tone",
        "intensity_bin",
    ]
    names = {ix["name"] for ix in inspector.get_indexes("mirror_events")}
    assert {"idx_mirror_ts", "idx_mirror_bucket"} <= names
    assert "idx_policy_bucket" in {ix["name"] for ix in inspector.get_indexes("policy_table")}
    defaults = {c["name"]: c["default"] for c in inspector.get_columns("topic_transitions")}
    assert defaults["success_weight"] is not None and "0.5" in defaults["success_weight"]


def _new_version(session, status_: str = "candidate") -> ParameterVersion:
    version = ParameterVersion(params={"retrieval.top_k": 5}, status=status_, reason="test")
    session.add(version)
    session.flush()
    return version


def test_parameter_versions_are_immutable_and_log_append_only(database):
    with session_scope(database.engine) as session:
        version = _new_version(session)
        session.add(ParameterChange(action="create", version_id=version.id, reason="test"))
    with pytest.raises(StoreError, match="immutable"):
        with session_scope(database.engine) as session:
            session.execute(
                text("UPDATE experiment_parameters SET params = '{}' WHERE id = :id"),
                {"id": version.id},
            )
    with pytest.raises(StoreError, match="append-only"):
        with session_scope(database.engine) as session:
            session.execute(text("DELETE FROM parameter_changes"))
    with session_scope(database.engine) as session:
        stored = session.get(ParameterVersion, version.id)
        assert stored is not None and stored.params == {"retrieval.top_k": 5}
        # Status is the one thing that may change.
        stored.status = "retired"


def test_two_active_versions_cannot_coexist_even_concurrently(database):
    with session_scope(database.engine) as session:
        session.execute(
            text("UPDATE experiment_parameters SET status = 'retired' WHERE status = 'active'")
        )
        ids = [_new_version(session).id for _ in range(6)]
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def activate(version_id: uuid.UUID) -> None:
        barrier.wait(timeout=10)  # every thread activates at the same moment
        try:
            with session_scope(database.engine) as session:
                row = session.get(ParameterVersion, version_id)
                assert row is not None
                row.status = "active"
        except ConflictError:
            with lock:
                outcomes.append("refused")
        else:
            with lock:
                outcomes.append("activated")

    threads = [threading.Thread(target=activate, args=(vid,)) for vid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with session_scope(database.engine) as session:
        active = session.scalars(
            select(ParameterVersion).where(ParameterVersion.status == "active")
        ).all()
    assert len(active) == 1
    assert outcomes.count("activated") == 1
    assert outcomes.count("refused") == len(ids) - 1

"""One parameter version per request: explicit id, experiment variant, active, defaults."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from selflearn.errors import InvalidInputError, NotFoundError
from selflearn.store import session_scope
from selflearn.store.models import ParameterVersion

FACTS = [f"Fact {i}: the library opens at {8 + i} o'clock on weekdays." for i in range(8)]


def _version(database, params, **fields) -> uuid.UUID:
    with session_scope(database.engine) as session:
        row = ParameterVersion(params=params, reason="test", **fields)
        session.add(row)
        session.flush()
        return row.id


def test_versions_resolve_in_order_and_are_recorded(service, database, user):
    service.add_memories(user, FACTS)
    defaults = service.chat_turn(user, "When does the library open?")
    assert defaults.parameter_version_id is None and len(defaults.retrieved) == 5

    active = _version(database, {"retrieval.top_k": 2}, status="active")
    variant = _version(
        database, {"retrieval.top_k": 4}, status="candidate", experiment_id="e1", variant="b"
    )
    explicit = _version(database, {"retrieval.top_k": 3}, status="draft")

    on_active = service.chat_turn(user, "When does the library open?")
    assert on_active.parameter_version_id == active and len(on_active.retrieved) == 2
    on_variant = service.chat_turn(
        user, "When does the library open?", experiment_id="e1", variant="b"
    )
    assert on_variant.parameter_version_id == variant and len(on_variant.retrieved) == 4
    assert (on_variant.experiment_id, on_variant.variant) == ("e1", "b")
    on_explicit = service.chat_turn(user, "When does the library open?", version_id=explicit)
    assert on_explicit.parameter_version_id == explicit and len(on_explicit.retrieved) == 3
    assert service.search(user, "library", version_id=str(explicit)).parameter_version_id == (
        explicit
    )
    with database.engine.connect() as conn:
        recorded = conn.execute(
            text(
                "SELECT r.parameter_version_id, e.experiment_id, e.variant FROM pipeline_runs r "
                "JOIN telemetry_events e ON e.pipeline_id = r.id AND e.stage = 'e2e' "
                "WHERE r.id = :id"
            ),
            {"id": on_variant.pipeline_run_id},
        ).one()
    assert tuple(recorded) == (variant, "e1", "b")
    with session_scope(database.engine) as session:
        session.execute(text("UPDATE experiment_parameters SET status = 'retired' WHERE id = :i"),
                        {"i": active})  # fmt: skip


def test_unknown_versions_and_variants_are_not_found(service, user):
    with pytest.raises(NotFoundError):
        service.chat_turn(user, "hello there", version_id=uuid.uuid4())
    with pytest.raises(NotFoundError):
        service.search(user, "hello", version_id="not-a-uuid")
    with pytest.raises(NotFoundError):
        service.chat_turn(user, "hello there", experiment_id="nope", variant="a")
    with pytest.raises(InvalidInputError):
        service.chat_turn(user, "hello there", variant="a")
    with pytest.raises(InvalidInputError):
        service.search(user, "hello", params={"retrieval.top_k": 0})

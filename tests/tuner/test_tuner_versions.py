"""Versions: bootstrap, applied updates, experiments, activation, rollback, explain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from selflearn.errors import ConflictError
from selflearn.space import default_params
from selflearn.store import session_scope
from selflearn.store.models import Experiment, ParameterChange
from selflearn.tuner import (
    ParamDiff,
    activate,
    diff,
    ensure_active_version,
    explain,
    get_version,
    list_versions,
    prepare_experiment,
    retire,
    rollback,
    rollback_conditions_for,
    update_params,
)

SEED_PREPARE = {
    "type": "prepare_experiment",
    "experiment_id": "top_k_3_vs_2",
    "variants": [
        {"name": "baseline", "params": {"retrieval.top_k": 3}},
        {"name": "variant", "params": {"retrieval.top_k": 2}},
    ],
}


def update(param, before, after, reason="test", **extra):
    return {"reason": reason, "changes": [{"param": param, "from": before, "to": after}], **extra}


def test_bootstrap_creates_version_one_from_defaults_once(engine, t0):
    with session_scope(engine) as session:
        first = ensure_active_version(session=session, now=t0)
        again = ensure_active_version(session=session, now=t0 + timedelta(days=1))
    assert first.id == again.id
    assert first.version == 1 and first.status == "active"
    assert first.params == default_params()
    assert (first.reason, first.initiated_by, first.activated_at) == (
        "initial defaults",
        "system",
        t0,
    )
    with session_scope(engine) as session:
        [entry] = session.scalars(select(ParameterChange)).all()
        assert entry.action == "bootstrap" and entry.version_id == first.id


def test_bootstrap_refuses_when_history_exists_but_nothing_is_active(engine, t0):
    with session_scope(engine) as session:
        prepare_experiment(SEED_PREPARE, session=session, now=t0)
    with pytest.raises(ConflictError, match="no parameter version is active, but 2 exist"):
        with session_scope(engine) as session:
            ensure_active_version(session=session, now=t0)


def test_rollback_twice_walks_down_the_line_and_the_owner_may_go_back_up(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        update_params(update("retrieval.top_k", 5, 4), session=session, now=t0)
        rollback(session=session, now=t0, reason="bad", initiated_by="owner")
        rollback(session=session, now=t0, reason="again", initiated_by="owner", to_version=2)
        assert get_version(1, session=session).status == "rolled_back"
        assert ensure_active_version(session=session, now=t0).version == 2


def test_update_params_applies_a_new_child_version_and_logs_it(engine, bootstrapped, t0):
    payload = update(
        "retrieval.top_k", 5, 2, reason="top_k=2 gives +8% precision",
        rollback_conditions={"precision_drop": 0.1, "cycles": 3}, experiment_id="top_k_3_vs_2",
    )  # fmt: skip
    with session_scope(engine) as session:
        result = update_params(payload, session=session, now=t0)
    assert result.applied and result.status == "applied"
    version = result.version
    assert version.version == 2 and version.status == "active"
    assert version.parent_id == bootstrapped.id
    assert version.params["retrieval.top_k"] == 2
    assert version.experiment_id == "top_k_3_vs_2"
    assert (version.reason, version.initiated_by) == ("top_k=2 gives +8% precision", "teacher")
    assert result.changes == (ParamDiff("retrieval.top_k", 5, 2),)
    with session_scope(engine) as session:
        assert get_version(1, session=session).status == "retired"
        entry = session.scalars(
            select(ParameterChange).where(ParameterChange.version_id == version.id)
        ).one()
        assert entry.action == "update_params" and entry.from_version_id == bootstrapped.id
        assert entry.changes[0] == {"param": "retrieval.top_k", "from": 5, "to": 2}
        conditions = rollback_conditions_for(version.id, session=session)
        assert conditions is not None and conditions.precision_drop == 0.1
        assert conditions.cycles == 3
        assert rollback_conditions_for(1, session=session) is None


def test_prepare_experiment_binds_candidates_and_is_idempotent(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        baseline, variant = prepare_experiment(SEED_PREPARE, session=session, now=t0)
    for version, top_k, name in ((baseline, 3, "baseline"), (variant, 2, "variant")):
        assert version.status == "candidate"
        assert version.experiment_id == "top_k_3_vs_2" and version.variant == name
        assert version.parent_id == bootstrapped.id
        assert version.params == {**default_params(), "retrieval.top_k": top_k}
    with session_scope(engine) as session:
        experiment = session.get(Experiment, "top_k_3_vs_2")
        assert experiment.status == "planned"
        assert experiment.design["variants"] == SEED_PREPARE["variants"]
        count = len(list_versions(session=session))
    # Resent after a crash (here: a new session later): the same versions, nothing new.
    with session_scope(engine) as session:
        again = prepare_experiment(dict(SEED_PREPARE), session=session, now=t0 + timedelta(1))
        assert [v.id for v in again] == [baseline.id, variant.id]
        assert len(list_versions(session=session)) == count
        # The active version is untouched by preparing.
        assert get_version(1, session=session).status == "active"


def test_prepare_experiment_with_a_different_payload_under_the_same_id_conflicts(
    engine, bootstrapped, t0
):
    with session_scope(engine) as session:
        prepare_experiment(SEED_PREPARE, session=session, now=t0)
    changed = {**SEED_PREPARE, "variants": [*SEED_PREPARE["variants"][:1], {"name": "x"}]}
    with pytest.raises(ConflictError, match="already exists with a different design"):
        with session_scope(engine) as session:
            prepare_experiment(changed, session=session, now=t0)


def test_prepare_experiment_without_active_version_starts_from_defaults(engine, t0):
    with session_scope(engine) as session:
        [base, _] = prepare_experiment(SEED_PREPARE, session=session, now=t0)
    assert base.parent_id is None
    assert base.params == {**default_params(), "retrieval.top_k": 3}


def test_activate_candidate_then_retire_the_loser(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        baseline, variant = prepare_experiment(SEED_PREPARE, session=session, now=t0)
        activate(variant.id, session=session, now=t0, reason="winner", initiated_by="teacher")
        retire(baseline.id, session=session, now=t0, reason="loser", initiated_by="teacher")
    with session_scope(engine) as session:
        statuses = {v.version: v.status for v in list_versions(session=session)}
        assert statuses == {1: "retired", 2: "retired", 3: "active"}
        assert [d.to_dict() for d in diff(1, "v3", session=session)] == [
            {"param": "retrieval.top_k", "from": 5, "to": 2}
        ]
        assert get_version(str(variant.id), session=session).activated_at == t0


def test_rollback_restores_the_parent_or_a_named_version(engine, bootstrapped, t0):
    with session_scope(engine) as session:
        update_params(update("retrieval.top_k", 5, 4), session=session, now=t0)
        later = t0 + timedelta(hours=2)
        update_params(update("retrieval.top_k", 4, 3), session=session, now=later)
        restored = rollback(session=session, now=later, reason="worse", initiated_by="owner")
        assert restored.version == 2 and restored.status == "active"
        assert get_version(3, session=session).status == "rolled_back"
        restored = rollback(
            session=session, now=later, reason="all the way", initiated_by="owner", to_version=1
        )
        assert restored.version == 1
        assert get_version(2, session=session).status == "rolled_back"
        actions = session.scalars(select(ParameterChange.action).order_by(ParameterChange.id))
        assert list(actions) == [
            "bootstrap",
            "update_params",
            "update_params",
            "rollback",
            "rollback",
        ]


def test_explain_after_three_updates_walks_back_to_the_root(engine, bootstrapped, t0):
    steps = [
        ("retrieval.top_k", 5, 4, "precision too low"),
        ("retrieval.keyword_count", 6, 8, "recall too low"),
        ("retrieval.top_k", 4, 3, "precision still low"),
    ]
    with session_scope(engine) as session:
        session.add(Experiment(id="exp-3", design={}, status="finished", verdict="winner"))
    for hours, (param, before, after, reason) in enumerate(steps):
        extra = {"experiment_id": "exp-3"} if hours == 2 else {}
        with session_scope(engine) as session:
            update_params(
                update(param, before, after, reason=reason, **extra),
                session=session,
                now=t0 + timedelta(hours=2 * hours),
            )
    with session_scope(engine) as session:
        explanation = explain(session=session)
    assert [s.version for s in explanation.chain] == [4, 3, 2, 1]
    assert explanation.version.status == "active"
    assert explanation.params["retrieval.top_k"] == 3
    assert explanation.params["retrieval.keyword_count"] == 8
    newest, middle, oldest, root = explanation.chain
    assert [d.to_dict() for d in newest.changes] == [
        {"param": "retrieval.top_k", "from": 4, "to": 3}
    ]
    assert newest.reason == "precision still low" and newest.initiated_by == "teacher"
    assert newest.experiment_id == "exp-3" and newest.verdict == "winner"
    assert middle.changes[0].param == "retrieval.keyword_count"
    assert oldest.parent_version == 1 and root.parent_version is None
    assert root.reason == "initial defaults" and root.changes == ()
    assert [e.action for e in newest.log] == ["update_params"]
    assert newest.log[0].from_version == 3
    text = explanation.render()
    assert "Version 4 (active)" in text
    assert "v4 [active] from v3" in text and "retrieval.top_k 4 -> 3" in text
    assert "experiment exp-3, verdict winner" in text and "v1 [retired] root" in text
    data = explanation.to_dict()
    assert data["version"] == 4 and len(data["chain"]) == 4
    with session_scope(engine) as session:
        assert explain(2, session=session).version.status == "retired"

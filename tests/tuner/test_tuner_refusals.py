"""Every refusal names its rule and changes nothing: same active version, rows and log."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from selflearn.errors import ConflictError, InvalidInputError, NotFoundError, RuleViolation
from selflearn.store import session_scope
from selflearn.tuner import activate, prepare_experiment, retire, rollback, update_params


def change(param: str, before, after, **extra) -> dict:
    return {
        "reason": "test change",
        "changes": [{"param": param, "from": before, "to": after}],
        **extra,
    }


@pytest.fixture
def refused(engine, snapshot):
    """Return `check(error_type, operation)`: run it, expect the error, see nothing changed.

    With `commit_anyway=True` the caller catches the error inside its session and commits
    whatever the session holds: the Tuner's savepoint must still have undone everything.
    """

    def check(error_type, operation, *, commit_anyway: bool = False):
        before = snapshot()
        if commit_anyway:
            with session_scope(engine) as session:
                with pytest.raises(error_type) as caught:
                    operation(session)
        else:
            with pytest.raises(error_type) as caught:
                with session_scope(engine) as session:
                    operation(session)
        assert snapshot() == before
        return caught.value

    return check


def test_out_of_range_value_is_refused(engine, bootstrapped, refused, t0):
    error = refused(
        InvalidInputError,
        lambda s: update_params(change("retrieval.top_k", 5, 99), session=s, now=t0),
    )
    assert "out of range [1, 50]" in error.message and "retrieval.top_k=99" in error.message


def test_wrong_type_is_refused(engine, bootstrapped, refused, t0):
    error = refused(
        InvalidInputError,
        lambda s: update_params(change("retrieval.top_k", 5, "three"), session=s, now=t0),
    )
    assert "must be an integer" in error.message
    error = refused(
        InvalidInputError,
        lambda s: update_params(change("retrieval.top_k", 5, 2.5), session=s, now=t0),
    )
    assert "must be an integer" in error.message


def test_unknown_parameter_is_refused(engine, bootstrapped, refused, t0):
    error = refused(
        InvalidInputError,
        lambda s: update_params(change("retrieval.top_q", 5, 4), session=s, now=t0),
    )
    assert "unknown parameter 'retrieval.top_q'" in error.message


def test_change_during_cooldown_is_refused_with_time_left(engine, bootstrapped, refused, t0):
    with session_scope(engine) as session:
        result = update_params(change("retrieval.top_k", 5, 4), session=session, now=t0)
        assert result.applied
    later = t0 + timedelta(minutes=20)
    error = refused(
        RuleViolation,
        lambda s: update_params(change("retrieval.top_k", 4, 3), session=s, now=later),
    )
    assert error.rule == "cooldown"
    assert "cooldown" in error.message and "40 min 00 s left" in error.message
    # Another factor is not resting, and after the cooldown top_k may move again.
    with session_scope(engine) as session:
        update_params(change("retrieval.keyword_count", 6, 8), session=session, now=later)
        update_params(change("retrieval.top_k", 4, 3), session=session, now=t0 + timedelta(hours=1))


def test_rollback_with_nothing_to_roll_back_is_refused(engine, bootstrapped, refused, t0):
    error = refused(
        RuleViolation,
        lambda s: rollback(session=s, now=t0, reason="bad", initiated_by="owner"),
    )
    assert error.rule == "nothing_to_roll_back" and "nothing_to_roll_back" in error.message


def test_rollback_with_no_active_version_is_refused(engine, refused, t0):
    error = refused(
        RuleViolation,
        lambda s: rollback(session=s, now=t0, reason="bad", initiated_by="owner"),
    )
    assert error.rule == "nothing_to_roll_back"


def test_stale_from_is_refused(engine, bootstrapped, refused, t0):
    error = refused(
        ConflictError,
        lambda s: update_params(change("retrieval.top_k", 3, 2), session=s, now=t0),
    )
    assert "stale_from" in error.message
    assert "retrieval.top_k is 5 in the active version 1, not 3" in error.message


def test_second_change_failing_refuses_the_whole_update(engine, bootstrapped, refused, t0):
    payload = {
        "reason": "two changes, one bad",
        "changes": [
            {"param": "retrieval.top_k", "from": 5, "to": 4},
            {"param": "retrieval.keyword_count", "from": 6, "to": 64},
        ],
    }
    error = refused(
        InvalidInputError,
        lambda s: update_params(payload, session=s, now=t0),
    )
    assert "retrieval.keyword_count=64 is out of range" in error.message


def test_refusal_inside_a_committed_session_still_changes_nothing(
    engine, bootstrapped, refused, t0
):
    with session_scope(engine) as session:
        candidates = prepare_experiment(
            {
                "experiment_id": "k",
                "variants": [
                    {"name": "baseline", "params": {}},
                    {"name": "variant", "params": {"retrieval.top_k": 2}},
                ],
            },
            session=session,
            now=t0,
        )
    error = refused(
        RuleViolation,
        lambda s: retire(bootstrapped.id, session=s, now=t0, reason="x", initiated_by="owner"),
        commit_anyway=True,
    )
    assert error.rule == "active_needs_replacement"
    refused(
        ConflictError,
        lambda s: activate(bootstrapped.id, session=s, now=t0, reason="x", initiated_by="owner"),
        commit_anyway=True,
    )
    with session_scope(engine) as session:
        retire(candidates[0].id, session=session, now=t0, reason="lost", initiated_by="teacher")
    refused(
        ConflictError,
        lambda s: retire(candidates[0].id, session=s, now=t0, reason="x", initiated_by="owner"),
        commit_anyway=True,
    )


def test_rolled_back_version_needs_the_owner(engine, bootstrapped, refused, t0):
    with session_scope(engine) as session:
        applied = update_params(change("retrieval.top_k", 5, 4), session=session, now=t0)
        rollback(session=session, now=t0, reason="worse", initiated_by="tuner:degradation")
    version = applied.version
    error = refused(
        RuleViolation,
        lambda s: activate(version.id, session=s, now=t0, reason="retry", initiated_by="teacher"),
    )
    assert error.rule == "rolled_back_needs_owner"
    with session_scope(engine) as session:
        again = activate(
            version.version, session=session, now=t0, reason="owner retries", initiated_by="owner"
        )
        assert again.status == "active"


def test_automatic_activation_beyond_autonomy_is_refused(engine, bootstrapped, refused, t0):
    with session_scope(engine) as session:
        [_, big] = prepare_experiment(
            {
                "experiment_id": "model_swap",
                "variants": [
                    {"name": "baseline", "params": {}},
                    {"name": "big", "params": {"responder.model": "large"}},
                ],
            },
            session=session,
            now=t0,
        )
    error = refused(
        RuleViolation,
        lambda s: activate(big.id, session=s, now=t0, reason="won", initiated_by="teacher"),
    )
    assert error.rule == "approval_required" and "manual zone" in error.message


def test_unknown_version_is_not_found(engine, bootstrapped, refused, t0):
    error = refused(
        NotFoundError,
        lambda s: activate(42, session=s, now=t0, reason="x", initiated_by="owner"),
    )
    assert "version 42 does not exist" in error.message
    refused(
        InvalidInputError,
        lambda s: activate("v-one", session=s, now=t0, reason="x", initiated_by="owner"),
    )
    refused(
        InvalidInputError,
        lambda s: activate(1, session=s, now=t0, reason="  ", initiated_by="owner"),
    )


def test_bad_variant_refuses_the_whole_experiment(engine, bootstrapped, refused, t0):
    payload = {
        "experiment_id": "bad",
        "variants": [
            {"name": "baseline", "params": {}},
            {"name": "huge", "params": {"retrieval.top_k": 500}},
        ],
    }
    error = refused(
        InvalidInputError,
        lambda s: prepare_experiment(payload, session=s, now=t0),
    )
    assert error.message.startswith("variant 'huge': retrieval.top_k=500 is out of range")


def test_two_activations_at_once_exactly_one_wins(engine, bootstrapped, snapshot, t0):
    with session_scope(engine) as session:
        first, second = prepare_experiment(
            {
                "experiment_id": "race",
                "variants": [
                    {"name": "a", "params": {"retrieval.top_k": 4}},
                    {"name": "b", "params": {"retrieval.top_k": 3}},
                ],
            },
            session=session,
            now=t0,
        )
    before = snapshot()
    a_has_switched = threading.Event()
    outcomes: dict[str, object] = {}

    def run_a() -> None:
        try:
            with session_scope(engine) as session:
                activate(first.id, session=session, now=t0, reason="a", initiated_by="owner")
                a_has_switched.set()
                # Hold the transaction open while B races against it.
                time.sleep(0.5)
            outcomes["a"] = "won"
        except Exception as error:
            a_has_switched.set()
            outcomes["a"] = error

    def run_b() -> None:
        a_has_switched.wait(5)
        try:
            with session_scope(engine) as session:
                activate(second.id, session=session, now=t0, reason="b", initiated_by="owner")
            outcomes["b"] = "won"
        except Exception as error:
            outcomes["b"] = error

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes["a"] == "won"
    assert isinstance(outcomes["b"], ConflictError)
    assert "another activation happened at the same time" in outcomes["b"].message
    after = snapshot()
    assert after.active == first.id
    assert after.changes == before.changes + 1
    assert len(after.versions) == len(before.versions)


def test_many_racing_activations_leave_exactly_one_active(engine, bootstrapped, t0):
    variants = [{"name": f"k{k}", "params": {"retrieval.top_k": k}} for k in range(1, 7)]
    with session_scope(engine) as session:
        versions = prepare_experiment(
            {"experiment_id": "stampede", "variants": variants}, session=session, now=t0
        )
    barrier = threading.Barrier(len(versions))
    results: list[object] = []

    def run(version_id) -> None:
        barrier.wait(5)
        try:
            with session_scope(engine) as session:
                activate(version_id, session=session, now=t0, reason="go", initiated_by="owner")
            results.append("won")
        except ConflictError as error:
            results.append(error)

    threads = [threading.Thread(target=run, args=(v.id,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(results) == len(versions)
    assert results.count("won") >= 1
    losers = [r for r in results if r != "won"]
    assert all("another activation" in r.message for r in losers)  # type: ignore[union-attr]
    with session_scope(engine) as session:
        from selflearn.tuner import list_versions

        assert len(list_versions(session=session, status="active")) == 1

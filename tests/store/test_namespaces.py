"""The `sim:` namespace: simulated users are told apart from real ones, wildcards literal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from selflearn.store import (
    is_simulated_user,
    like_prefix,
    real_users,
    session_scope,
    simulated_under,
    simulated_user,
)
from selflearn.store.models import PipelineRun

USERS = [
    "alice",
    "sim-alike",  # not the mark: a real user whose id merely starts like it
    simulated_user("c_1/e1/baseline/s1", "user"),
    simulated_user("c_1/e1/baseline/s2", "user"),
    simulated_user("cx1/e1/baseline/s1", "user"),  # `_` in "c_1" must not match "x"
    simulated_user("c%9/e1/baseline/s1", "user"),
]


def test_simulated_user_ids_carry_the_mark():
    assert simulated_user("c1/e/s1", "user") == "sim:c1/e/s1/user"
    assert is_simulated_user("sim:c1/e/s1/user")
    assert not is_simulated_user("alice") and not is_simulated_user("sim-alike")


def test_like_prefix_escapes_wildcards_and_the_escape_character():
    assert like_prefix("a_b%c\\d") == "a\\_b\\%c\\\\d%"


def _users(database, where) -> list[str]:
    with session_scope(database.engine) as session:
        query = select(PipelineRun.user_id).where(where).order_by(PipelineRun.user_id)
        return list(session.scalars(query))


def test_filters_split_real_from_simulated_users_in_sql(database):
    with session_scope(database.engine) as session:
        for user in USERS:
            session.add(
                PipelineRun(user_id=user, cycle_type="online", created_at=datetime.now(UTC))
            )
    assert _users(database, real_users(PipelineRun.user_id)) == ["alice", "sim-alike"]
    assert _users(database, simulated_under(PipelineRun.user_id)) == sorted(USERS[2:])
    assert _users(database, simulated_under(PipelineRun.user_id, "c_1/")) == sorted(USERS[2:4])
    assert _users(database, simulated_under(PipelineRun.user_id, "c%9/")) == [USERS[5]]
    assert _users(database, simulated_under(PipelineRun.user_id, "c_1/e1/baseline/s2/")) == [
        USERS[3]
    ]

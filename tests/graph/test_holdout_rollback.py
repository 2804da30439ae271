"""A held-out loss rolls the campaign back to the version it started from, not one step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selflearn.graph._monitor_nodes import _compare, _lost, _must_not_lose, roll_back_to_start
from selflearn.space import get_spec
from selflearn.store import session_scope
from selflearn.tuner import active_version, ensure_active_version, get_version, update_params

LATER = datetime(2031, 1, 1, tzinfo=UTC)


def _step(session, factor: str, now: datetime) -> None:
    """Apply a change of `factor` to its other value (other tests share the database)."""
    before = active_version(session=session).params[factor]
    to = next(value for value in get_spec(factor).choices if value != before)
    update_params(
        {"reason": "a campaign winner", "changes": [{"param": factor, "from": before, "to": to}]},
        session=session,
        now=now,
    )


def test_two_applied_winners_are_both_rolled_back(database):
    with session_scope(database.engine) as session:
        start = ensure_active_version(session=session, now=LATER)
        start_id, start_params = str(start.id), dict(start.params)
        _step(session, "responder.fact_scope", LATER + timedelta(days=1))
        _step(session, "responder.conflict_policy", LATER + timedelta(days=2))
        end = active_version(session=session)
        assert end.params != start_params and end.parent_id != start.id
        worse = [{"metric": "abstention_rate", "effect": 0.033}]
        number = roll_back_to_start(
            session, start_version=start_id, worse=worse, now=LATER + timedelta(days=3)
        )
        now_active = active_version(session=session)
        assert str(now_active.id) == start_id and number == now_active.version
        assert now_active.params == start_params
        assert get_version(end.version, session=session).status == "rolled_back"


def test_a_loss_only_the_t_test_finds_still_rolls_back():
    # Ten scenarios; five lose answers, none gains. The exact test cannot decide on five
    # non-zero differences (p = 2/32), the t-test the rule was fixed with can (p = 0.033):
    # replacing the test must not loosen the rule.
    losses = [0.0, -0.2, 0.0, -0.2, -0.2, -0.5, 0.0, -0.2, 0.0, 0.0]
    rows = [
        {"variant": arm, "scenario_id": f"s{k}", "seed": 0, "answer_correct_rate": value}
        for k, loss in enumerate(losses)
        for arm, value in (("before", 0.8), ("after", 0.8 + loss))
    ]
    compared = _compare(rows, "answer_correct_rate", "side_effect")
    assert compared["verdict"] == "inconclusive" and compared["t_verdict"] == "loser"
    assert "permutation" in compared["method"]
    assert _must_not_lose(compared) and _lost(compared)
    rows_even = [dict(r, answer_correct_rate=0.8) for r in rows if r["variant"] == "before"]
    rows_even += [dict(r, variant="after") for r in rows_even]
    assert not _lost(_compare(rows_even, "answer_correct_rate", "side_effect"))

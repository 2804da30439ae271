"""The mirror loop on the real database: logger, rate limit, opt-out, learner, stats, thread."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, delete, select

from selflearn.errors import InvalidInputError
from selflearn.learners.mirror import ARMS, MirrorConfig, MirrorLoop, normalise_reward
from selflearn.store import session_scope
from selflearn.store.models import MirrorEvent, PolicyEntry, UserSettings
from tests.learners.mirror_helpers import T0, StepClock

HAPPY = "I feel happy, calm and grateful today"
TENSE = "I am anxious and stressed, so worried!"


@pytest.fixture
def engine(database):
    with session_scope(database.engine) as session:
        session.execute(delete(MirrorEvent))
        session.execute(delete(PolicyEntry))
    return database.engine


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def loop(engine, clock):
    made = MirrorLoop(engine, clock=clock, seed=7)
    yield made
    made.stop()


def _events(engine) -> list[MirrorEvent]:
    with session_scope(engine) as session:
        return list(session.scalars(select(MirrorEvent).order_by(MirrorEvent.id)).all())


def test_building_a_loop_touches_no_database() -> None:
    unreachable = create_engine("postgresql+psycopg://nobody@/nowhere?host=/nonexistent")
    loop = MirrorLoop(unreachable)
    assert loop.field().user_count == 0
    loop.stop()  # never started: a no-op


def test_an_episode_is_logged_with_pre_action_post_and_its_propensity(loop, engine, clock, user):
    pre = loop.observe(user, HAPPY)
    feedback = loop.feedback(user)
    assert feedback.logged and feedback.action is not None and feedback.source == "fallback"
    assert feedback.bucket_key == f"14-L-{'PAD'[max(range(3), key=lambda i: pre.pad[i])]}"
    assert loop.tick(clock.advance(4.9)) == 0  # a tick closes episodes 5 s old
    assert loop.tick(clock.advance(0.1)) == 1
    (row,) = _events(engine)
    assert row.ts == T0 and row.dt_ms == 5000 and row.user_count == 1
    assert row.tone == feedback.action.tone and row.intensity_bin == feedback.action.intensity_bin
    assert row.propensity == pytest.approx(feedback.propensity)
    assert row.action_source == "fallback" and row.covered is False
    assert (row.pre_coherence, row.pre_entropy) == (pre.coherence, pre.entropy)
    assert row.post_pad == row.pre_pad and row.bucket_key == feedback.bucket_key


def test_a_snapshot_three_seconds_later_closes_the_episode(loop, engine, clock, user):
    loop.observe(user, HAPPY)
    loop.feedback(user)
    clock.advance(2.9)
    loop.observe(user, TENSE)
    assert _events(engine) == []
    clock.advance(0.2)
    loop.observe(user + "-2", TENSE)  # another user's reflection is the next snapshot
    (row,) = _events(engine)
    assert row.dt_ms == 3100 and row.post_pad != row.pre_pad


def test_a_flood_of_feedback_logs_one_episode_per_bucket_per_two_seconds(loop, engine, clock, user):
    loop.observe(user, HAPPY)
    flood = []
    for _ in range(50):
        flood.append(loop.feedback(user))
        clock.advance(0.01)  # 50 requests in half a second
    assert [f.logged for f in flood].count(True) == 1
    clock.advance(1.49)  # 1.99 s after the first
    assert not loop.feedback(user).logged
    clock.advance(0.01)
    assert loop.feedback(user).logged
    clock.advance(10)
    assert loop.tick() == 2
    times = [row.ts for row in _events(engine)]
    assert len(times) == len(set(times)) == 2 and (times[1] - times[0]).total_seconds() == 2.0


def test_an_opted_out_user_is_neither_steered_nor_logged_nor_in_the_field(
    loop, engine, clock, user
):
    assert loop.is_enabled(user)
    loop.observe(user, HAPPY)
    loop.set_enabled(user, False)
    assert loop.field().user_count == 0  # left the field at once
    assert loop.observe(user, TENSE).user_count == 0
    feedback = loop.feedback(user)
    assert feedback.action is None and not feedback.logged and feedback.source == "opted_out"
    clock.advance(10)
    assert loop.tick() == 0 and _events(engine) == []
    with session_scope(engine) as session:
        assert session.get(UserSettings, user).mirror_enabled is False
    # Enforced from the database, not from this process's memory: a new loop refuses too.
    fresh = MirrorLoop(engine, clock=clock)
    assert not fresh.is_enabled(user) and fresh.feedback(user).action is None
    loop.set_enabled(user, True)
    assert loop.feedback(user).action is not None


def test_the_learner_averages_normalised_rewards_into_policy_table(loop, engine, clock, user):
    rewards: dict[tuple[str, str, int], list[float]] = {}
    messages = [HAPPY, TENSE, "I will decide, I am confident", "tired and sad", HAPPY]
    for i in range(40):
        loop.observe(f"{user}-{i % 5}", messages[i % 5])
        loop.feedback(f"{user}-{i % 5}")
        clock.advance(2.5)
        loop.tick()
    clock.advance(10)
    loop.tick()
    for row in _events(engine):
        raw = (row.post_coherence - row.pre_coherence) - (row.post_entropy - row.pre_entropy)
        key = (row.bucket_key, row.tone, row.intensity_bin)
        rewards.setdefault(key, []).append(normalise_reward(raw))
    summary = loop.learn()
    assert summary["episodes"] == sum(len(v) for v in rewards.values()) == 40
    assert summary["buckets"] == len({k[0] for k in rewards})
    rows = loop.policy()
    assert len(rows) == len(rewards)
    for row in rows:
        values = rewards[(row["bucket_key"], row["tone"], row["intensity_bin"])]
        assert row["n"] == len(values)
        assert row["reward_avg"] == pytest.approx(sum(values) / len(values))
    one = rows[0]["bucket_key"]
    mine = loop.policy(one)
    assert {r["bucket_key"] for r in mine} == {one}
    assert [r["reward_avg"] for r in mine] == sorted((r["reward_avg"] for r in mine), reverse=True)
    # Learning twice updates the same rows (the primary key), never duplicates them.
    loop.learn()
    assert len(loop.policy()) == len(rows)


def test_the_hub_exploits_a_learned_bucket(loop, engine, clock, user):
    loop.observe(user, HAPPY)
    key = loop.feedback(user).bucket_key
    with session_scope(engine) as session:
        for tone, index in ARMS:
            session.add(
                PolicyEntry(
                    bucket_key=key,
                    tone=tone,
                    intensity_bin=index,
                    reward_avg=0.5 if (tone, index) == ("cool", 2) else 0.0,
                    n=20,
                    updated_at=T0,
                )
            )
    loop.learn()
    chosen = []
    for _ in range(200):
        clock.advance(0.1)
        chosen.append(loop.feedback(user))
    greedy = [f for f in chosen if f.source == "greedy"]
    assert all(f.action.arm == ("cool", 2) for f in greedy)
    assert 0.8 < len(greedy) / len(chosen) < 0.97
    assert all(f.propensity == pytest.approx(0.9 + 0.1 / 9) for f in greedy)


def test_the_policy_is_read_on_first_feedback_not_when_built(engine, clock, user):
    loop = MirrorLoop(engine, clock=clock, config=MirrorConfig(epsilon=0.0))
    loop.observe(user, HAPPY)
    key = loop.feedback(user).bucket_key  # this first feedback loads the (empty) policy
    late = MirrorLoop(engine, clock=clock, config=MirrorConfig(epsilon=0.0))
    late.observe(user, HAPPY)
    with session_scope(engine) as session:  # written after `late` was built
        session.add(
            PolicyEntry(
                bucket_key=key, tone="warm", intensity_bin=1, reward_avg=0.2, n=3, updated_at=T0
            )
        )
    clock.advance(3)
    assert late.feedback(user).source == "greedy"
    assert loop.feedback(user).source == "fallback"  # loaded before the row, until it learns
    loop.learn()
    assert loop.feedback(user).action.arm == ("warm", 1)


def test_policy_and_stats_validate_their_input(loop, engine, clock, user):
    with pytest.raises(InvalidInputError, match="does not parse"):
        loop.policy("25-L-P")
    with pytest.raises(InvalidInputError, match="after"):
        loop.stats(clock.advance(10), T0)
    assert loop.stats(None, None)["n"] == 0 and loop.stats(None, None)["reward"] is None
    loop.observe(user, HAPPY)
    loop.feedback(user)
    clock.advance(5)
    loop.tick()
    stats = loop.stats(T0, clock.advance(1))
    assert stats["n"] == 1 and stats["coverage"] == 0.0 and stats["buckets"] == 1
    assert loop.stats(clock.now, None)["n"] == 0


def test_listeners_hear_field_feedback_episode_and_policy(loop, clock, user):
    heard: list[str] = []
    unsubscribe = loop.subscribe(lambda kind, payload: heard.append(kind))
    loop.subscribe(lambda kind, payload: 1 / 0)  # a broken listener does not break the hub
    loop.observe(user, HAPPY)
    loop.feedback(user)
    clock.advance(5)
    loop.tick()
    loop.learn()
    assert {"field", "feedback", "episode", "policy"} <= set(heard)
    unsubscribe()
    count = len(heard)
    loop.observe(user, HAPPY)
    assert len(heard) == count


def test_start_and_stop_leave_no_thread_behind(loop, clock, user):
    before = threading.active_count()
    loop.start()
    loop.start()  # already running: no second thread
    assert loop.running and threading.active_count() == before + 1
    loop.stop()
    loop.stop()
    assert not loop.running and threading.active_count() == before

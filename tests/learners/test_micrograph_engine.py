"""The micrograph on a real PostgreSQL: candidates, the upsert, the loop, bad input, the plan."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select, text

from selflearn.learners.micrograph import (
    EMOTIONAL,
    SEMANTIC,
    ZEIGARNIK,
    Micrograph,
    MicrographConfig,
    candidate_pool,
    classify,
    upsert_transition,
)
from selflearn.learners.micrograph._queries import CANDIDATES, vector_literal
from selflearn.store import session_scope
from selflearn.store.models import TopicTransition
from tests.factories import NOW

ON = MicrographConfig(enabled=True)

MEMORIES = [
    "I bake sourdough bread every Sunday with a rye starter",
    "Sourdough bread needs a lively rye starter and a long proof",
    "I love the sea at dawn, it makes me so happy",
    "I still haven't finished restoring my grandfather's old bicycle",
    "My team ships the billing service every second Tuesday",
]


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _near(vector: np.ndarray, distance: float, seed: int) -> np.ndarray:
    """Return a unit vector at exactly `distance` cosine distance from `vector`."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=vector.shape)
    noise -= noise.dot(vector) * vector
    noise /= np.linalg.norm(noise)
    cos = 1.0 - distance
    return _unit(cos * vector + np.sqrt(1 - cos * cos) * noise)


def test_memories_offer_three_kinds() -> None:
    assert classify(MEMORIES[2])[0] == EMOTIONAL
    assert classify(MEMORIES[3])[0] == ZEIGARNIK
    assert classify(MEMORIES[4])[0] == SEMANTIC


def test_upsert_starts_at_the_success_then_averages(database, service, user) -> None:
    base = _unit(service.embedder.embed(["bread"])[0])
    target = _unit(service.embedder.embed(["sea"])[0])
    args = dict(user_id=user, transition_type="semantic", intent="casual_chat", rate=0.3)
    with session_scope(database.engine) as session:
        first = upsert_transition(
            session, source=base, target=target, success=0.9, within=0.1, now=NOW, **args
        )
        again = upsert_transition(
            session,
            source=_near(base, 0.05, 1),
            target=_near(target, 0.05, 2),
            success=0.2,
            within=0.1,
            now=NOW,
            **args,
        )
        apart = upsert_transition(
            session,
            source=_near(base, 0.12, 3),
            target=target,
            success=0.5,
            within=0.1,
            now=NOW,
            **args,
        )
        rows = session.scalar(
            select(func.count()).select_from(TopicTransition).where(TopicTransition.user_id == user)
        )
    assert first.created and first.success_weight == pytest.approx(0.9) and first.attempts == 1
    assert not again.created and again.id == first.id
    assert again.success_weight == pytest.approx(0.9 * 0.7 + 0.2 * 0.3)
    assert again.attempts == 2
    assert apart.created and rows == 2


def test_candidates_carry_the_weight_of_a_matching_past_jump(database, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    topic = _unit(service.embedder.embed([MEMORIES[0]])[0])
    sea = _unit(service.embedder.embed([MEMORIES[2]])[0])
    with session_scope(database.engine) as session:
        upsert_transition(
            session,
            user_id=user,
            source=_near(topic, 0.1, 4),
            target=_near(sea, 0.1, 5),
            transition_type=EMOTIONAL,
            intent="casual_chat",
            success=0.9,
            rate=0.3,
            within=0.1,
            now=NOW,
        )
        # Another intent and another user must not leak into this user's modifier.
        for who, intent in ((user, "sales"), ("someone-else", "casual_chat")):
            upsert_transition(
                session,
                user_id=who,
                source=topic,
                target=_unit(service.embedder.embed([MEMORIES[4]])[0]),
                transition_type=SEMANTIC,
                intent=intent,
                success=0.1,
                rate=0.3,
                within=0.1,
                now=NOW,
            )
        pool = candidate_pool(
            session,
            user_id=user,
            topic=topic,
            intent="casual_chat",
            pool=16,
            match_distance=0.15,
            learning=True,
        )
        tight = candidate_pool(
            session,
            user_id=user,
            topic=topic,
            intent="casual_chat",
            pool=16,
            match_distance=0.09,
            learning=True,
        )
    weights = {row.text: row.past_weight for row in pool}
    assert len(pool) == len(MEMORIES)
    assert weights[MEMORIES[2]] == pytest.approx(0.9)
    assert weights[MEMORIES[4]] is None
    assert pool[0].text == MEMORIES[0] and pool[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert all(row.past_weight is None for row in tight)  # 0.1 is not within 0.09


def _talk(micrograph, user, message, config=ON, **kwargs):
    return micrograph.step(user, message, config=config, now=NOW, **kwargs)


def _tire(micrograph, user, config=ON):
    """Answer "ok" until the topic is exhausted; return that step."""
    for _ in range(5):
        step = _talk(micrograph, user, "ok", config)
        if step.exhausted:
            return step
        assert step.similarity_queries == 0
    raise AssertionError("the topic never ran out")


def test_an_exhausted_topic_jumps_away_and_the_reply_grades_the_jump(
    database, service, user
) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    micrograph = Micrograph(database.engine, embedder=service.embedder)
    opening = _talk(micrograph, user, MEMORIES[0])
    assert opening.tec == pytest.approx((1.0 + 10 / 50) / 2) and not opening.exhausted
    tired = _tire(micrograph, user)
    assert tired.exhausted and tired.chosen is not None
    assert tired.similarity_queries == 1 and tired.candidates == len(MEMORIES)
    # Anti-looping: the other sourdough memory (same topic) is not where the jump goes.
    assert "ourdough" not in tired.chosen.text
    assert tired.directive is not None and tired.chosen.text in tired.directive
    reply = _talk(micrograph, user, "Oh yes! " + tired.chosen.text + " and much more to tell")
    assert reply.success is not None and reply.similarity_queries == 1
    assert reply.learned_weight == pytest.approx(reply.success)
    with session_scope(database.engine) as session:
        row = session.scalars(select(TopicTransition).where(TopicTransition.user_id == user)).one()
    assert row.attempts == 1 and row.transition_type == tired.chosen.kind
    assert row.success_weight == pytest.approx(reply.success)


def test_learning_off_picks_topics_but_writes_nothing(database, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    micrograph = Micrograph(database.engine, embedder=service.embedder)
    config = MicrographConfig(enabled=True, learning=False)
    _talk(micrograph, user, MEMORIES[0], config)
    jump = _tire(micrograph, user, config)
    reply = _talk(micrograph, user, "fine", config)
    assert jump.chosen is not None and reply.success is not None
    assert reply.similarity_queries == 0
    with session_scope(database.engine) as session:
        assert not session.scalar(
            select(func.count()).select_from(TopicTransition).where(TopicTransition.user_id == user)
        )


def test_a_good_past_jump_wins_the_next_time(database, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    cold = Micrograph(database.engine, embedder=service.embedder)
    _talk(cold, user, MEMORIES[0], MicrographConfig(enabled=True, learning=False))
    first = _tire(cold, user, MicrographConfig(enabled=True, learning=False)).chosen
    assert first is not None
    topic = _unit(service.embedder.embed([MEMORIES[0]])[0])
    others = [m for m in MEMORIES[2:] if m != first.text]
    favourite = _unit(service.embedder.embed([others[0]])[0])
    with session_scope(database.engine) as session:
        for target, success in ((favourite, 0.95), (first.embedding, 0.05)):
            upsert_transition(
                session,
                user_id=user,
                source=topic,
                target=target,
                transition_type="x",
                intent="casual_chat",
                success=success,
                rate=0.3,
                within=0.1,
                now=NOW,
            )
    warm = Micrograph(database.engine, embedder=service.embedder)
    _talk(warm, user, MEMORIES[0])
    chosen = _tire(warm, user).chosen
    assert chosen is not None and chosen.text == others[0]
    assert chosen.past_weight == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"vector": np.ones(7, dtype=np.float32)}, "wrong_dimension"),
        ({"vector": np.zeros(384, dtype=np.float32)}, "missing_embedding"),
        ({"vector": np.full(384, np.nan, dtype=np.float32)}, "missing_embedding"),
        ({"intent": "world_domination"}, "unknown_intent"),
        ({"opted_out": True}, "profiling_opt_out"),
    ],
)
def test_bad_input_skips_the_learner_and_says_why(database, service, user, kwargs, reason):
    micrograph = Micrograph(database.engine, embedder=service.embedder)
    step = _talk(micrograph, user, "hello there", **kwargs)
    assert step.skipped == reason and step.chosen is None and step.similarity_queries == 0


def test_an_empty_message_has_no_embedding(database, service, user) -> None:
    micrograph = Micrograph(database.engine, embedder=service.embedder)
    assert _talk(micrograph, user, "   ").skipped == "missing_embedding"


def test_opting_out_forgets_the_pending_jump(database, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    micrograph = Micrograph(database.engine, embedder=service.embedder)
    _talk(micrograph, user, MEMORIES[0])
    assert _tire(micrograph, user).chosen is not None
    _talk(micrograph, user, "stop tracking me", opted_out=True)
    assert micrograph.tracker.state(user).pending is None


def test_the_candidate_search_is_served_by_the_per_user_indexes(database, service) -> None:
    rng = np.random.default_rng(7)
    with session_scope(database.engine) as session:
        session.execute(
            text(
                "INSERT INTO topic_transitions (id, user_id, source_embedding, target_embedding,"
                " transition_type, agent_intent, success_weight, attempts)"
                " SELECT gen_random_uuid(), 'bulk-' || (g % 200), CAST(:v AS vector),"
                " CAST(:v AS vector), 'semantic', 'casual_chat', 0.5, 1"
                " FROM generate_series(1, 20000) g"
            ),
            {"v": vector_literal(_unit(rng.normal(size=384)))},
        )
        session.execute(text("ANALYZE topic_transitions"))
        session.execute(text("ANALYZE memories"))
        plan = "\n".join(
            row[0]
            for row in session.execute(
                text("EXPLAIN " + CANDIDATES.text),
                {
                    "cur": vector_literal(_unit(rng.normal(size=384))),
                    "u": "bulk-7",
                    "intent": "casual_chat",
                    "pool": 16,
                    "recent": 2000,
                    "match": 0.15,
                    "learn": True,
                },
            )
        )
    assert "ix_topic_transitions_user_intent" in plan
    assert "Seq Scan on topic_transitions" not in plan
    assert "ix_memories_user_occurred" in plan

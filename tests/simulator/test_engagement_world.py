"""The engagement world: seeded users whose replies follow tastes the learner cannot see."""

from __future__ import annotations

import statistics

import pytest

from selflearn.errors import InvalidInputError
from selflearn.learners.micrograph import classify
from selflearn.simulator.engagement import (
    bench_user_id,
    make_user,
    paired_effect,
    run_bifurcation_bench,
)


def test_the_same_seed_makes_the_same_user_and_another_seed_another() -> None:
    one, again, other = make_user(3, 0), make_user(3, 0), make_user(4, 0)
    assert one.memories == again.memories and one.kind_taste == again.kind_taste
    assert [one.opening()] + [one.follow(None)[0] for _ in range(3)] == [again.opening()] + [
        again.follow(None)[0] for _ in range(3)
    ]
    assert one.memories != other.memories


def test_the_learner_reads_the_kind_the_world_wrote() -> None:
    for index in range(5):
        for memory in make_user(0, index).memories:
            assert classify(memory.text)[0] == memory.kind


def test_replies_follow_the_hidden_taste() -> None:
    user = make_user(0, 0)
    user.opening()
    liked = max(user.memories, key=lambda m: user.kind_taste[m.kind] * user.topic_taste[m.topic])
    disliked = min(user.memories, key=lambda m: user.kind_taste[m.kind] * user.topic_taste[m.topic])
    liked_words, disliked_words = [], []
    for _ in range(30):
        liked_words.append(len(user.follow(liked.text)[0].split()))
        disliked_words.append(len(user.follow(disliked.text)[0].split()))
    assert statistics.fmean(liked_words) > 1.5 * statistics.fmean(disliked_words)


def test_a_jump_back_to_the_same_topic_is_a_loop() -> None:
    user = make_user(0, 1)
    user.opening()
    same = next(m for m in user.memories if m.topic == user.topic)
    other = next(m for m in user.memories if m.topic != user.topic)
    assert user.follow(same.text)[1]
    assert not user.follow(other.text)[1]


def test_paired_effect_is_a_t_interval_over_users() -> None:
    effect = paired_effect([0.1, 0.2, 0.3, 0.2])
    assert effect.delta == pytest.approx(0.2)
    assert effect.ci_low == pytest.approx(0.2 - 3.182446 * 0.0816497 / 2, abs=1e-4)
    assert effect.significant
    assert not paired_effect([0.1, -0.1, 0.05, -0.05]).significant


def test_the_bench_is_the_same_for_the_same_seed_and_leaves_nothing(database, service) -> None:
    runs = [
        run_bifurcation_bench(
            database.engine, service.embedder, service, users=3, turns=24, seed=11
        ).to_json()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    shape = runs[0]
    assert set(shape) == {"users", "turns", "arms", "effect", "transitions_learned"}
    assert set(shape["arms"]) == {"on", "off", "no_antiloop"}
    assert set(shape["arms"]["on"]) == {"tec", "reply_words", "repeat_rate"}
    assert set(shape["effect"]["tec"]) == {"delta", "ci_low", "ci_high"}
    assert shape["transitions_learned"] > 0
    assert service.list_memories(bench_user_id(11, "on", 0)) == []


def test_the_bench_refuses_too_small_a_world(database, service) -> None:
    with pytest.raises(InvalidInputError):
        run_bifurcation_bench(database.engine, service.embedder, service, users=1, turns=10)

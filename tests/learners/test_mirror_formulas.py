"""The mirror loop's formulas at the seed's boundaries, the field model and the choice."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pytest

from selflearn.errors import InvalidInputError
from selflearn.learners.mirror import (
    ARMS,
    FieldState,
    MirrorConfig,
    arm_probabilities,
    bucket_key,
    choose,
    fallback_arm,
    field_state,
    normalise_reward,
    parse_bucket_key,
    reward,
    text_pad,
)
from tests.learners.mirror_helpers import T0, state


@pytest.mark.parametrize(
    ("load", "expected"), [(0, "L"), (19, "L"), (20, "M"), (59, "M"), (60, "H")]
)
def test_the_load_bins_switch_at_20_and_60(load, expected) -> None:
    assert bucket_key(T0, load, state()) == f"14-{expected}-P"


@pytest.mark.parametrize(
    ("pad", "axis"),
    [
        ((0.5, 0.1, 0.2), "P"),
        ((0.1, 0.5, 0.2), "A"),
        ((-0.3, -0.2, -0.1), "D"),
        ((0.3, 0.3, 0.1), "P"),
    ],
)
def test_the_dominant_axis_is_the_argmax_of_pad(pad, axis) -> None:
    at = datetime(2026, 3, 2, 0, 59, tzinfo=UTC)
    assert bucket_key(at, 5, state(pad=pad)) == f"0-L-{axis}"


def test_a_bucket_key_round_trips_and_a_bad_one_says_how_it_should_look() -> None:
    assert parse_bucket_key("23-H-D") == (23, "H", "D")
    assert parse_bucket_key(bucket_key(T0, 60, state())) == (14, "H", "P")
    for bad in ("24-L-P", "14-X-P", "14-L-Q", "14-L", "", "a-L-P", "14-l-p", " 1-L-P", None, 7):
        with pytest.raises(InvalidInputError) as error:
            parse_bucket_key(bad)  # type: ignore[arg-type]
        assert "does not parse" in error.value.message and "{hour}" in error.value.hint


def test_reward_is_the_seed_formula_and_normalises_into_minus_one_one() -> None:
    pre = state(coherence=0.4, entropy=0.6)
    post = state(coherence=0.5, entropy=0.3)
    assert reward(pre, post) == pytest.approx(0.1 + 0.3)
    assert reward(post, pre) == pytest.approx(-0.4)
    assert normalise_reward(0.4) == pytest.approx(0.2)
    best, worst = state(coherence=1.0, entropy=0.0), state(coherence=0.0, entropy=1.0)
    assert normalise_reward(reward(worst, best)) == 1.0
    assert normalise_reward(reward(best, worst)) == -1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"coherence": 1.5},
        {"entropy": -0.1},
        {"pleasure": float("nan")},
        {"arousal": "high"},
        {"user_count": -1},
        {"user_count": 2.5},
        {"ts": datetime(2026, 1, 1)},  # noqa: DTZ001 - a naive time is the bad input here
    ],
)
def test_a_malformed_state_is_refused_with_a_clear_message(changes) -> None:
    good = state().as_dict()
    with pytest.raises(InvalidInputError) as error:
        FieldState.from_dict({**good, **changes})
    assert error.value.message.startswith("field state:")


def test_a_state_round_trips_through_its_json_form() -> None:
    original = state()
    assert FieldState.from_dict(original.as_dict()) == original
    with pytest.raises(InvalidInputError, match="missing"):
        FieldState.from_dict({"coherence": 0.5})


def test_the_lexicon_reads_pleasure_arousal_and_dominance() -> None:
    happy = text_pad("I am so happy and grateful today, I feel calm and confident")
    upset = text_pad("I am anxious, stressed and stuck, I feel lost and helpless!")
    assert happy[0] > 0 > upset[0]
    assert upset[1] > happy[1]
    assert happy[2] > 0 > upset[2]
    assert text_pad("the train leaves at nine") == (0.0, 0.0, 0.0)


def test_the_field_is_coherent_when_users_agree_and_spreads_when_they_do_not() -> None:
    agree = field_state([(0.8, 0.5, 0.5)] * 5, T0)
    spread = field_state([(0.8, 0.5, 0.5), (-0.8, -0.5, -0.5), (0.8, -0.5, 0.5)], T0)
    assert agree.coherence == pytest.approx(1.0) and agree.user_count == 5
    assert spread.coherence < agree.coherence and spread.entropy > agree.entropy
    assert field_state([], T0).user_count == 0


def test_epsilon_greedy_propensities_and_the_fallback() -> None:
    config = MirrorConfig()
    table = {("warm", 2): (0.3, 4), ("cool", 0): (0.1, 9)}
    probs = arm_probabilities(table, state(), config)
    assert probs[("warm", 2)] == pytest.approx(0.9 + 0.1 / 9)
    assert probs[("cool", 0)] == pytest.approx(0.1 / 9)
    assert sum(probs.values()) == pytest.approx(1.0)
    rng, np_rng = random.Random(3), np.random.default_rng(3)
    draws = [choose(table, state(), config, rng, np_rng) for _ in range(20000)]
    explored = sum(d.source == "explore" for d in draws) / len(draws)
    assert abs(explored - 0.1) < 4 * (0.1 * 0.9 / len(draws)) ** 0.5
    for draw in draws[:200]:
        assert draw.propensity == pytest.approx(probs[draw.arm])
    empty = [choose(None, state(), config, rng, np_rng) for _ in range(200)]
    fallback = fallback_arm(state())
    assert {d.source for d in empty} == {"fallback", "explore"}
    assert all(d.arm == fallback for d in empty if d.source == "fallback")
    assert not any(d.covered for d in empty)


def test_the_static_hub_always_takes_the_state_analysis() -> None:
    config = MirrorConfig(adaptive=False)
    choice = choose(
        {("warm", 2): (0.9, 50)}, state(), config, random.Random(0), np.random.default_rng(0)
    )
    assert choice.arm == fallback_arm(state()) and choice.propensity == 1.0
    assert fallback_arm(state(pad=(0.0, 0.6, 0.0)))[0] == "cool"
    assert fallback_arm(state(pad=(-0.5, 0.0, 0.0)))[0] == "warm"
    assert fallback_arm(state(coherence=0.1, entropy=0.9))[1] == 2


def test_thompson_sampling_prefers_the_better_arm_and_logs_a_propensity() -> None:
    config = MirrorConfig(strategy="thompson")
    table = {arm: (0.0, 50) for arm in ARMS} | {("cool", 1): (0.1, 50)}
    rng, np_rng = random.Random(1), np.random.default_rng(1)
    draws = [choose(table, state(), config, rng, np_rng) for _ in range(300)]
    assert sum(d.arm == ("cool", 1) for d in draws) > 250
    assert all(0 < d.propensity <= 1 for d in draws)


def test_a_bad_config_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        MirrorConfig(epsilon=1.5)
    with pytest.raises(InvalidInputError, match="strategy"):
        MirrorConfig(strategy="ucb")

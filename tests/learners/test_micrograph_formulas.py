"""The seed formulas of the micrograph, checked exactly at the boundaries the issue names."""

from __future__ import annotations

import pytest

from selflearn.learners.micrograph import (
    anti_loop,
    ema_weight,
    is_exhausted,
    matches,
    message_engagement,
    micrograph_modifier,
    next_tec,
    prediction_error,
    response_density,
    same_transition,
    transition_success,
)


def test_anti_loop_penalises_only_above_065() -> None:
    assert anti_loop(0.8, 0.65) == 0.8
    assert anti_loop(0.8, 0.6500001) == pytest.approx(0.08)
    assert anti_loop(0.8, 0.64) == 0.8
    assert anti_loop(0.8, 1.0) == pytest.approx(0.08)


def test_anti_loop_factor_one_turns_it_off() -> None:
    assert anti_loop(0.8, 0.99, factor=1.0) == 0.8


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (None, 1.0),
        (0.6, 1.0),
        (0.6000001, 1.5),
        (0.95, 1.5),
        (0.4, 1.0),
        (0.3999999, 0.5),
        (0.0, 0.5),
        (0.5, 1.0),
    ],
)
def test_modifier_at_06_and_04(weight: float | None, expected: float) -> None:
    assert micrograph_modifier(weight) == expected


def test_match_needs_both_distances_strictly_below_015() -> None:
    assert matches(0.149, 0.149)
    assert not matches(0.15, 0.0)
    assert not matches(0.0, 0.15)
    assert not matches(0.2, 0.1)


def test_upsert_matches_strictly_below_01() -> None:
    assert same_transition(0.099, 0.099)
    assert not same_transition(0.1, 0.05)
    assert not same_transition(0.05, 0.1)
    # a transition that matches for the modifier can still be a new row for the upsert
    assert matches(0.12, 0.12) and not same_transition(0.12, 0.12)


def test_ema_keeps_70_percent_and_a_new_row_starts_at_the_success() -> None:
    assert ema_weight(None, 0.42) == 0.42
    assert ema_weight(0.5, 1.0) == pytest.approx(0.65)
    assert ema_weight(0.8, 0.0) == pytest.approx(0.56)
    assert ema_weight(0.2, 0.2) == pytest.approx(0.2)


def test_density_caps_at_50_words() -> None:
    assert response_density(0) == 0.0
    assert response_density(25) == 0.5
    assert response_density(49) == pytest.approx(0.98)
    assert response_density(50) == 1.0
    assert response_density(500) == 1.0
    with pytest.raises(ValueError):
        response_density(-1)


def test_success_caps_at_one() -> None:
    assert transition_success(0.5, 0.0) == pytest.approx(0.25)
    assert transition_success(0.8, 0.5) == pytest.approx(0.8)
    assert transition_success(0.8, 1.0) == 1.0  # 0.8 × 1.5 = 1.2, capped
    assert transition_success(2 / 3, 1.0) == pytest.approx(1.0)
    assert transition_success(0.0, 1.0) == 0.0


def test_tec_from_prediction_error_and_density() -> None:
    assert prediction_error(1.0) == 0.0
    assert prediction_error(-0.3) == 1.0  # an opposite message is a full surprise
    assert prediction_error(0.25) == 0.75
    assert message_engagement(1.0, 50) == 1.0
    assert message_engagement(0.0, 0) == 0.0
    assert message_engagement(0.4, 25) == pytest.approx(0.45)
    assert next_tec(None, 0.6) == 0.6
    assert next_tec(0.6, 0.2) == pytest.approx(0.4)


def test_a_topic_needs_two_messages_before_it_can_be_exhausted() -> None:
    assert not is_exhausted(0.1, 1)
    assert is_exhausted(0.1, 2)
    assert not is_exhausted(0.3, 5)
    assert is_exhausted(0.2999, 5)

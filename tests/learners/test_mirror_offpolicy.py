"""IPS and DR on a logged policy whose values are known."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from selflearn.learners.mirror import (
    ARMS,
    Episode,
    MirrorConfig,
    arm_probabilities,
    doubly_robust,
    ips,
    learned_policy,
)
from tests.learners.mirror_helpers import T0, state

#: The true mean reward of each arm in the one bucket of these logs.
MEANS = {arm: 0.01 * i for i, arm in enumerate(ARMS)}
BUCKET = "14-L-P"


def _episode(arm, propensity: float, raw: float, i: int) -> Episode:
    at = T0 + timedelta(seconds=2 * i)
    pre = state(coherence=0.5, entropy=0.5, ts=at)
    post = state(coherence=0.5 + raw / 2, entropy=0.5 - raw / 2, ts=at + timedelta(seconds=4))
    return Episode(at, BUCKET, arm[0], arm[1], propensity, "explore", True, pre, post)


def _logs(n: int, seed: int, logging: dict) -> list[Episode]:
    rng = random.Random(seed)
    arms, weights = list(logging), list(logging.values())
    out = []
    for i in range(n):
        arm = rng.choices(arms, weights)[0]
        out.append(_episode(arm, logging[arm], MEANS[arm] + rng.gauss(0, 0.02), i))
    return out


def test_ips_and_dr_intervals_hold_a_deterministic_policys_value_from_uniform_logs() -> None:
    target_arm = ARMS[4]

    def target(episode):
        return {target_arm: 1.0}

    held = {"ips": 0, "dr": 0}
    narrower = 0
    for seed in range(20):  # 95 % intervals: at most a few of 20 independent logs may miss
        logs = _logs(2000, seed, {arm: 1 / len(ARMS) for arm in ARMS})
        by_ips, by_dr = ips(logs, target), doubly_robust(logs, target)
        held["ips"] += by_ips.ci_low <= MEANS[target_arm] <= by_ips.ci_high
        held["dr"] += by_dr.ci_low <= MEANS[target_arm] <= by_dr.ci_high
        narrower += by_dr.ci_high - by_dr.ci_low < by_ips.ci_high - by_ips.ci_low
        assert by_ips.n == by_dr.n == len(logs)
    assert held["ips"] >= 16 and held["dr"] >= 16, held
    assert narrower == 20  # the reward model removes most of the arm-to-arm spread


def test_evaluating_the_logging_policy_itself_gives_the_sample_mean() -> None:
    skewed = {arm: (0.5 if i == 0 else 0.5 / (len(ARMS) - 1)) for i, arm in enumerate(ARMS)}
    logs = _logs(500, 2, skewed)
    estimate = ips(logs, lambda episode: skewed)
    assert estimate.value == pytest.approx(sum(e.raw_reward for e in logs) / len(logs))


def test_an_epsilon_greedy_log_evaluates_the_learned_greedy_policy() -> None:
    config = MirrorConfig()
    rng = random.Random(3)
    table = {BUCKET: {ARMS[2]: (0.0, 10)}}  # the logging policy: greedy on arm 2, ε = 0.1
    logging = arm_probabilities(table[BUCKET], state(), config)
    logs = []
    for i in range(20000):
        arm = rng.choices(list(logging), list(logging.values()))[0]
        logs.append(_episode(arm, logging[arm], MEANS[arm] + rng.gauss(0, 0.02), i))
    learned = {BUCKET: {ARMS[8]: (0.08, 50), ARMS[2]: (0.02, 50)}}  # greedy on arm 8 now
    target = learned_policy(learned, config)
    truth = sum(p * MEANS[a] for a, p in target(logs[0]).items())
    for estimate in (ips(logs, target), doubly_robust(logs, target)):
        assert estimate.ci_low <= truth <= estimate.ci_high


def test_an_episode_without_propensity_cannot_be_reweighted() -> None:
    bad = [_episode(ARMS[0], 0.0, 0.1, 0)]
    with pytest.raises(ValueError, match="propensity"):
        ips(bad, lambda episode: {ARMS[0]: 1.0})

"""Off-line value of any policy from logged episodes: inverse propensity and doubly robust.

Each logged episode carries the probability its policy gave the chosen arm, so the value of
another policy π on the same contexts is estimated by

- IPS: mean of w·r, w = π(a | x) / p(a | x);
- DR: mean of Σ_a π(a | x) q(x, a) + w·(r − q(x, a)), where q is a reward model (the mean
  reward of the bucket's arm, shrunk to the bucket's and then the overall mean), cross-fitted
  on two folds so an episode never predicts itself.

The intervals are normal intervals over episodes: they hold when episodes are independent
given the logging policy, which a single simulated day only approximates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from selflearn.learners.mirror._config import MirrorConfig
from selflearn.learners.mirror._episode import Episode
from selflearn.learners.mirror._policy import arm_probabilities
from selflearn.learners.mirror._types import ARMS

Arm = tuple[str, int]
TargetPolicy = Callable[[Episode], Mapping[Arm, float]]
RewardOf = Callable[[Episode], float]
#: Pseudo-counts pulling an arm's mean to its bucket's, and a bucket's to the overall mean.
SHRINK = 5.0
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A policy value with its 95 % interval over `n` episodes."""

    value: float
    ci_low: float
    ci_high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        """Return the estimate as a JSON-ready mapping."""
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high, "n": self.n}


def _mean_interval(values: Sequence[float]) -> Estimate:
    n = len(values)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    half = _Z95 * math.sqrt(var / n)
    return Estimate(mean, mean - half, mean + half, n)


def _raw(episode: Episode) -> float:
    return episode.raw_reward


def learned_policy(
    tables: Mapping[str, Mapping[Arm, tuple[float, int]]], config: MirrorConfig
) -> TargetPolicy:
    """Return the ε-greedy policy of a learned table as a target policy."""

    def probabilities(episode: Episode) -> Mapping[Arm, float]:
        return arm_probabilities(tables.get(episode.bucket_key), episode.pre, config)

    return probabilities


def ips(episodes: Sequence[Episode], target: TargetPolicy, reward: RewardOf = _raw) -> Estimate:
    """Return the inverse-propensity estimate of the target policy's mean reward."""
    values = []
    for episode in episodes:
        if not episode.propensity > 0:
            raise ValueError("an episode without a positive propensity cannot be reweighted")
        weight = target(episode).get(episode.arm, 0.0) / episode.propensity
        values.append(weight * reward(episode))
    return _mean_interval(values)


class RewardModel:
    """Mean reward per (bucket, arm), shrunk to the bucket's mean and the overall mean."""

    def __init__(self, episodes: Sequence[Episode], reward: RewardOf = _raw) -> None:
        cells: dict[tuple[str, Arm], list[float]] = defaultdict(lambda: [0.0, 0.0])
        buckets: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        total = 0.0
        for episode in episodes:
            r = reward(episode)
            total += r
            for cell in (cells[(episode.bucket_key, episode.arm)], buckets[episode.bucket_key]):
                cell[0] += r
                cell[1] += 1
        self.overall = total / len(episodes) if episodes else 0.0
        self._buckets = {
            b: (s + SHRINK * self.overall) / (n + SHRINK) for b, (s, n) in buckets.items()
        }
        self._cells = {
            key: (s + SHRINK * self._buckets[key[0]]) / (n + SHRINK)
            for key, (s, n) in cells.items()
        }

    def __call__(self, bucket: str, arm: Arm) -> float:
        """Return the predicted reward of an arm in a bucket."""
        cell = self._cells.get((bucket, arm))
        if cell is not None:
            return cell
        return self._buckets.get(bucket, self.overall)


def doubly_robust(
    episodes: Sequence[Episode], target: TargetPolicy, reward: RewardOf = _raw
) -> Estimate:
    """Return the doubly robust estimate, with a reward model cross-fitted on two folds."""
    folds = [list(episodes[0::2]), list(episodes[1::2])]
    models = [RewardModel(folds[1], reward), RewardModel(folds[0], reward)]
    values = []
    for fold, model in zip(folds, models, strict=True):
        for episode in fold:
            if not episode.propensity > 0:
                raise ValueError("an episode without a positive propensity cannot be reweighted")
            probs = target(episode)
            direct = sum(probs.get(arm, 0.0) * model(episode.bucket_key, arm) for arm in ARMS)
            weight = probs.get(episode.arm, 0.0) / episode.propensity
            residual = reward(episode) - model(episode.bucket_key, episode.arm)
            values.append(direct + weight * residual)
    return _mean_interval(values)

"""The hub's choice: ε-greedy (or Thompson sampling) over a bucket's arms, with the
state-analysis fallback where the bucket has no data, and the propensity of the choice."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from selflearn.learners.mirror._config import MirrorConfig
from selflearn.learners.mirror._types import ARMS, INTENSITY_BINS, FieldState, MirrorAction

#: A bucket's learned arms: (tone, intensity_bin) → (reward_avg, n).
ArmTable = Mapping[tuple[str, int], tuple[float, int]]

_MESSAGES = {
    "warm": "The room is with you; {how} lean into what feels good right now.",
    "cool": "Let's slow down together; {how} take one breath before the next thought.",
    "neutral": "Here is where the group stands; {how} notice it and carry on.",
}
_HOW = ("gently,", "steadily,", "firmly,")
#: Draws used to estimate a Thompson choice's propensity.
THOMPSON_DRAWS = 32


@dataclass(frozen=True)
class Choice:
    """An arm, the probability the policy gave it, and where it came from."""

    arm: tuple[str, int]
    propensity: float
    source: str
    covered: bool


def _action(arm: tuple[str, int]) -> MirrorAction:
    tone, index = arm
    return MirrorAction(
        tone, index, INTENSITY_BINS[index], _MESSAGES[tone].format(how=_HOW[index % len(_HOW)])
    )


_ACTIONS = {arm: _action(arm) for arm in ARMS}
_POSITION = {arm: i for i, arm in enumerate(ARMS)}


def make_action(arm: tuple[str, int]) -> MirrorAction:
    """Return the action of an arm, with its message."""
    return _ACTIONS.get(arm) or _action(arm)


def fallback_arm(field: FieldState) -> tuple[str, int]:
    """Return the state-analysis arm (the hub's logic before it learned).

    Aroused → cool (calm down); unpleasant → warm (comfort); else neutral. The intensity
    follows the disorder of the field, (1 − coherence + entropy) / 2, in thirds.
    """
    tone = "cool" if field.arousal > 0.3 else "warm" if field.pleasure < -0.1 else "neutral"
    disorder = (1.0 - field.coherence + field.entropy) / 2.0
    index = min(len(INTENSITY_BINS) - 1, int(disorder * len(INTENSITY_BINS)))
    return tone, index


def greedy_arm(table: ArmTable) -> tuple[str, int] | None:
    """Return the arm with the highest mean reward (ties: more data, then arm order)."""
    best: tuple[str, int] | None = None
    best_key: tuple[float, int, int] | None = None
    for arm, (avg, n) in table.items():
        if arm not in _POSITION:  # a row of an arm this version does not know
            continue
        key = (avg, n, -_POSITION.get(arm, len(ARMS)))
        if best_key is None or key > best_key:
            best, best_key = arm, key
    return best


def arm_probabilities(
    table: ArmTable | None, field: FieldState, config: MirrorConfig
) -> dict[tuple[str, int], float]:
    """Return the ε-greedy (or static) policy's probability of every arm in this state."""
    fallback = fallback_arm(field)
    if not config.adaptive:
        return {arm: float(arm == fallback) for arm in ARMS}
    greedy = greedy_arm(table or {}) or fallback
    share = config.epsilon / len(ARMS)
    return {arm: (1 - config.epsilon) * (arm == greedy) + share for arm in ARMS}


def choose(
    table: ArmTable | None,
    field: FieldState,
    config: MirrorConfig,
    rng: random.Random,
    np_rng: np.random.Generator,
) -> Choice:
    """Choose an arm for a state whose bucket has `table` (None or empty: no data)."""
    covered = bool(table)
    fallback = fallback_arm(field)
    if not config.adaptive:
        return Choice(fallback, 1.0, "fallback", covered)
    if config.strategy == "thompson" and table:
        return _thompson(table, config, np_rng)
    greedy = greedy_arm(table) if table else None
    share = config.epsilon / len(ARMS)
    if rng.random() < config.epsilon:
        arm = ARMS[rng.randrange(len(ARMS))]
        source = "explore"
    else:
        arm, source = (greedy, "greedy") if greedy is not None else (fallback, "fallback")
    target = greedy if greedy is not None else fallback
    propensity = (1 - config.epsilon) * (arm == target) + share
    return Choice(arm, propensity, source, covered)


def _posterior(table: ArmTable, config: MirrorConfig) -> tuple[np.ndarray, np.ndarray]:
    cached = _POSTERIORS.get(id(table))
    if cached is not None and cached[0] is table and cached[1] is config:
        return cached[2], cached[3]
    means = np.zeros(len(ARMS))
    sds = np.full(len(ARMS), config.thompson_prior_sd)
    for i, arm in enumerate(ARMS):
        if arm in table:
            avg, n = table[arm]
            means[i], sds[i] = avg, config.thompson_sd / np.sqrt(max(n, 1))
    if len(_POSTERIORS) > 4096:
        _POSTERIORS.clear()
    _POSTERIORS[id(table)] = (table, config, means, sds)
    return means, sds


# A learned table does not change until the next learn: its posterior is kept (by identity).
_POSTERIORS: dict[int, tuple[ArmTable, MirrorConfig, np.ndarray, np.ndarray]] = {}


def _thompson(table: ArmTable, config: MirrorConfig, np_rng: np.random.Generator) -> Choice:
    means, sds = _posterior(table, config)
    # Row 0 chooses; the other rows estimate the choice's probability by Monte Carlo (one
    # pseudo-count, so that no chosen arm gets probability zero).
    winners = np.argmax(np_rng.normal(means, sds, size=(THOMPSON_DRAWS + 1, len(ARMS))), axis=1)
    index = int(winners[0])
    hits = int(np.sum(winners[1:] == index))
    propensity = (hits + 1) / (THOMPSON_DRAWS + 1)
    return Choice(ARMS[index], propensity, "greedy", True)

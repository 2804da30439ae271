"""The simulated field: a seeded day of users whose field the hub's tones move.

A world (one seed) fixes everything the hub cannot see:

- activity: the number of active users through the day, a smooth curve from a few at night
  to 70–110 in the evening (so the load bins L, M and H all occur);
- the field's own rhythm: coherence, entropy and PAD follow daily baselines, each an
  Ornstein–Uhlenbeck process pulled back to its baseline (time constant 30 s) with noise;
  the PAD baselines are phase-shifted sines, so the dominant axis changes through the day;
- the hidden effect of every arm (tone × intensity bin) in every context (6-hour block of
  the day × load bin × dominant axis): a feedback adds `EFFECT` × its effect to coherence
  and subtracts its entropy effect at once; the push then decays with the field's time
  constant. One arm per context is best, and it is not the state-analysis fallback's
  choice more often than chance.

Each active user asks for feedback about once every `TURN_S` seconds. The noise of one
day (`noise_seed`) is separate from the world, so several arms replay the same day with
the same noise (paired), and a fresh day of the same world uses another noise seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from selflearn.learners.mirror import (
    ARMS,
    AXES,
    LOAD_BINS,
    FieldState,
    MirrorAction,
    dominant_axis,
    load_bin,
)

#: The simulated day starts at midnight UTC of this date.
DAY_START = datetime(2026, 1, 5, tzinfo=UTC)
#: Field time constant (s), noise per √s of coherence/entropy and of PAD.
TIME_CONSTANT_S = 30.0
NOISE = 0.004
PAD_NOISE = 0.01
#: A feedback's push on coherence (and entropy) per unit of hidden effect.
EFFECT = 0.004
#: Seconds between two turns of one active user.
TURN_S = 60.0
#: Hours per context block of the hidden effects.
BLOCK_HOURS = 6


@dataclass(frozen=True)
class Context:
    """What the hidden effects depend on."""

    block: int
    load: str
    axis: str


def context_of(state: FieldState) -> Context:
    """Return the hidden-effect context of a field state."""
    block = (state.ts.hour // BLOCK_HOURS) % (24 // BLOCK_HOURS)
    return Context(block, load_bin(state.user_count), dominant_axis(state))


class SimulatedWorld:
    """The hidden parts of one world: activity, rhythms and the arms' effects."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 0x31])
        self.seed = seed
        self.low = float(rng.uniform(3, 10))
        self.high = float(rng.uniform(70, 110))
        self.peak = float(rng.uniform(17, 21))
        self.pad_amp = rng.uniform(0.2, 0.4, size=3)
        self.pad_phase = rng.uniform(0, 2 * math.pi, size=3)
        self.coh_phase, self.ent_phase = rng.uniform(0, 2 * math.pi, size=2)
        blocks = 24 // BLOCK_HOURS
        shape = (blocks, len(LOAD_BINS), len(AXES), len(ARMS))
        self.coh_effect = rng.normal(0.0, 1.0, size=shape)
        self.ent_effect = -0.5 * self.coh_effect + rng.normal(0.0, 0.8, size=shape)
        self._effects = {
            index: [
                (float(self.coh_effect[index][a]), float(self.ent_effect[index][a]))
                for a in range(len(ARMS))
            ]
            for index in np.ndindex(shape[:3])
        }

    def users(self, hour: float) -> int:
        """Return the active users at an hour of the day (fractional)."""
        phase = (1 - math.cos(2 * math.pi * (hour - self.peak + 12) / 24)) / 2
        return max(1, round(self.low + (self.high - self.low) * phase**1.5))

    def baseline(self, hour: float) -> tuple[float, float, np.ndarray]:
        """Return the field's daily baselines: coherence, entropy, PAD."""
        angle = 2 * math.pi * hour / 24
        coherence = 0.5 + 0.15 * math.sin(angle + self.coh_phase)
        entropy = 0.5 + 0.12 * math.sin(angle + self.ent_phase)
        pad = self.pad_amp * np.sin(angle + self.pad_phase)
        return coherence, entropy, pad

    def effect(self, context: Context, arm: tuple[str, int]) -> tuple[float, float]:
        """Return an arm's hidden (coherence, entropy) effect in a context."""
        index = (context.block, LOAD_BINS.index(context.load), AXES.index(context.axis))
        position = ARMS.index(arm)
        return self._effects[index][position]

    def best_arm(self, context: Context) -> tuple[str, int]:
        """Return the arm with the highest expected reward in a context (hidden)."""
        return max(
            ARMS, key=lambda arm: self.effect(context, arm)[0] - self.effect(context, arm)[1]
        )


class SimulatedField:
    """One simulated day of a world: the field the hub reads, moved by the hub's feedback.

    Implements the hub's `FieldModel` (the simulated users' reflections live inside it);
    its states carry the field's own time (the start of the current second).
    """

    def __init__(self, world: SimulatedWorld, *, noise_seed: int, hours: float) -> None:
        self.world = world
        self.seconds = int(hours * 3600)
        rng = np.random.default_rng([world.seed, noise_seed, 0x5EED])
        scale = np.array([NOISE, NOISE, PAD_NOISE, PAD_NOISE, PAD_NOISE])
        self._noise = (rng.normal(0.0, 1.0, size=(self.seconds, 5)) * scale).tolist()
        minutes = self.seconds // 60 + 1
        self._users = [world.users((m / 60) % 24) for m in range(minutes)]
        self._targets = [_flat(world.baseline((m / 60) % 24)) for m in range(minutes)]
        rates = np.repeat(np.array(self._users, dtype=float) / TURN_S, 60)[: self.seconds]
        self._requests = rng.poisson(rates).tolist()
        self._values = list(self._targets[0])
        self.t = 0
        self.now = DAY_START
        self._state: FieldState | None = None

    def users_at(self, second: int) -> int:
        """Return the active users in a second of the day."""
        return int(self._users[second // 60])

    def requests_at(self, second: int) -> int:
        """Return how many users ask for feedback in a second."""
        return int(self._requests[second])

    def step(self, second: int) -> None:
        """Advance the field to the start of `second`."""
        target, noise, values = self._targets[second // 60], self._noise[second], self._values
        for i in range(5):
            low = 0.0 if i < 2 else -1.0
            value = values[i] + (target[i] - values[i]) / TIME_CONSTANT_S + noise[i]
            values[i] = low if value < low else 1.0 if value > 1.0 else value
        self.t = second
        self.now = DAY_START + timedelta(seconds=second)
        self._state = None

    def apply(self, action: MirrorAction, state: FieldState) -> None:
        """Push the field by a feedback's hidden effect in the state's context."""
        coh, ent = self.world.effect(context_of(state), action.arm)
        values = self._values
        values[0] = min(1.0, max(0.0, values[0] + EFFECT * coh))
        values[1] = min(1.0, max(0.0, values[1] + EFFECT * ent))
        self._state = None

    # -- the hub's FieldModel -----------------------------------------------------------

    def observe(self, user_id: str, pad: tuple[float, float, float], ts: datetime) -> None:
        """Reflections are simulated inside the field: nothing to take."""

    def forget(self, user_id: str) -> None:
        """Simulated users keep nothing personal."""

    def state(self, ts: datetime) -> FieldState:
        """Return the field now (at the field's own time, the start of the second)."""
        if self._state is None:
            v = self._values
            self._state = FieldState(v[0], v[1], v[2], v[3], v[4], self.users_at(self.t), self.now)
        return self._state


def _flat(baseline: tuple[float, float, np.ndarray]) -> list[float]:
    coherence, entropy, pad = baseline
    return [coherence, entropy, *(float(x) for x in pad)]

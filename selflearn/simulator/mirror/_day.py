"""Play one simulated day through a real `MirrorHub` (in-memory store, simulated field)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from selflearn.learners.mirror import (
    Episode,
    MemoryEpisodeStore,
    MirrorConfig,
    MirrorHub,
    bucket_key,
)
from selflearn.simulator.mirror._world import (
    DAY_START,
    EFFECT,
    SimulatedField,
    SimulatedWorld,
    context_of,
)

#: bucket → arm → (reward_avg, n), as the hub's store keeps it.
Tables = dict[str, dict[tuple[str, int], tuple[float, int]]]


@dataclass
class DayRun:
    """What one arm did on one simulated day."""

    episodes: list[Episode]
    active_seconds: int
    covered_seconds: int
    feedbacks: int
    tables: Tables = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        """Return the share of active seconds whose bucket had policy data."""
        return self.covered_seconds / self.active_seconds if self.active_seconds else 0.0

    def mean_reward(self) -> float:
        """Return the mean (Δcoherence − Δentropy) of the logged episodes."""
        return sum(e.raw_reward for e in self.episodes) / max(1, len(self.episodes))

    def reward_variance(self, quarter: int, hours: float) -> float:
        """Return the variance of the raw reward of the episodes in a quarter (0–3) of the run."""
        span = hours / 4
        return self.variance_between(quarter * span, (quarter + 1) * span)

    def _between(self, start_h: float, end_h: float) -> list[Episode]:
        return [
            e
            for e in self.episodes
            if start_h * 3600 <= (e.ts - DAY_START).total_seconds() < end_h * 3600
        ]

    def choice_variance_between(self, world: SimulatedWorld, start_h: float, end_h: float) -> float:
        """Return the part of the reward variance the policy controls, in [start_h, end_h).

        Each episode's chosen arm has a hidden expected push in its context (Δcoherence −
        Δentropy at the moment of feedback, `EFFECT` × the world's effect): this is the
        pooled within-context variance of that push over the episodes. It leaves out the
        field's own noise and the daily rhythm (contexts differ by hour and load), so it
        falls only when the choices within a context settle; a static hub scores zero.
        """
        groups: dict[object, list[float]] = {}
        for e in self._between(start_h, end_h):
            context = context_of(e.pre)
            coherence, entropy = world.effect(context, e.arm)
            groups.setdefault(context, []).append(EFFECT * (coherence - entropy))
        squares = sum(sum((v - sum(vs) / len(vs)) ** 2 for v in vs) for vs in groups.values())
        freedom = sum(len(vs) for vs in groups.values()) - len(groups)
        return squares / freedom if freedom > 0 else float("nan")

    def variance_between(self, start_h: float, end_h: float) -> float:
        """Return the variance of the raw reward of the episodes in [start_h, end_h) hours."""
        chosen = [e.raw_reward for e in self._between(start_h, end_h)]
        if len(chosen) < 2:
            return float("nan")
        mean = sum(chosen) / len(chosen)
        return sum((r - mean) ** 2 for r in chosen) / (len(chosen) - 1)


def play_day(
    world: SimulatedWorld,
    config: MirrorConfig,
    *,
    noise_seed: int,
    hours: float,
    hub_seed: int,
    tables: Tables | None = None,
    learn: bool = True,
    progress: Callable[[float], None] | None = None,
) -> DayRun:
    """Play `hours` of the world through a hub; `tables` starts it with a learned policy,
    `learn` off keeps that policy frozen (the on-line value of a learned policy)."""
    simulated = SimulatedField(world, noise_seed=noise_seed, hours=hours)
    store = MemoryEpisodeStore(tables)
    clock_now = [simulated.now]
    hub = MirrorHub(store, simulated, config=config, seed=hub_seed, clock=lambda: clock_now[0])
    learn_every = int(config.learn_every_s)
    active = covered = feedbacks = 0
    for second in range(simulated.seconds):
        simulated.step(second)
        now = simulated.now
        clock_now[0] = now
        hub.snapshot(now)
        state = simulated.state(now)
        if state.user_count > 0:
            active += 1
            covered += hub.has_policy(bucket_key(now, state.user_count, state))
        requests = simulated.requests_at(second)
        for i in range(requests):
            clock_now[0] = now + timedelta(seconds=(i + 1) / (requests + 1))
            feedback = hub.feedback(f"sim-{(second + i) % max(1, state.user_count)}")
            feedbacks += 1
            if feedback.action is not None:
                simulated.apply(feedback.action, feedback.field)
        if learn and second % learn_every == learn_every - 1:
            clock_now[0] = now
            hub.learn()
        if progress is not None and second % 3600 == 3599:
            progress((second + 1) / 3600)
    clock_now[0] = simulated.now + timedelta(seconds=config.settle_max_s + 1)
    hub.tick()
    if learn:
        hub.learn()
    return DayRun(store.episodes, active, covered, feedbacks, store.tables())

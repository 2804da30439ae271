"""`learners bench bifurcation`: the same simulated users with the micrograph on, off, and
on without anti-looping.

Every arm plays the same users (same memories, same hidden tastes, same reply seeds) under
its own user ids, through the real learner on the real database. The learner sees only the
users' replies; the world alone knows which topic a jump landed on (the repeat rate).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, delete

from selflearn.errors import InvalidInputError
from selflearn.learners.micrograph import Micrograph, MicrographConfig
from selflearn.providers import Embedder
from selflearn.simulator.engagement._stats import PairedEffect, paired_effect
from selflearn.simulator.engagement._world import make_user
from selflearn.store import session_scope
from selflearn.store.models import TopicTransition

ON = MicrographConfig(enabled=True)


def bench_arms(base: MicrographConfig = ON) -> dict[str, MicrographConfig]:
    """Return the three arms around `base` (the seeds' defaults unless another is given)."""
    return {
        "on": base,
        "off": replace(base, learning=False),
        "no_antiloop": replace(base, anti_loop_factor=1.0),
    }


ARMS: dict[str, MicrographConfig] = bench_arms()
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


class MemoryStore(Protocol):
    """The part of the Student the bench uses to give its users memories."""

    def add_memories(
        self,
        user_id: str,
        items: Any,
        *,
        now: datetime | None = None,
        merge_duplicates: bool = True,
    ) -> Any: ...

    def delete_memories(self, user_id: str, ids: Any = None) -> int: ...


@dataclass
class UserRun:
    """One user's conversation in one arm."""

    tec: list[float] = field(default_factory=list)
    words: list[int] = field(default_factory=list)
    jumps: int = 0
    loops: int = 0
    latency_ms: list[float] = field(default_factory=list)
    max_queries: int = 0

    @property
    def mean_tec(self) -> float:
        return statistics.fmean(self.tec) if self.tec else 0.0

    @property
    def repeat_rate(self) -> float:
        return self.loops / self.jumps if self.jumps else 0.0


@dataclass
class BenchResult:
    """Per-arm, per-user runs, the paired TEC effect (on − off) and what was learned."""

    users: int
    turns: int
    seed: int
    runs: dict[str, list[UserRun]]
    effect: PairedEffect
    transitions_learned: int

    def arm_summary(self, arm: str) -> dict[str, float]:
        """Return mean TEC, reply words and repeat rate of an arm (means over users)."""
        runs = self.runs[arm]
        return {
            "tec": round(statistics.fmean(r.mean_tec for r in runs), 4),
            "reply_words": round(statistics.fmean(statistics.fmean(r.words) for r in runs), 2),
            "repeat_rate": round(statistics.fmean(r.repeat_rate for r in runs), 4),
        }

    def curve(self, arm: str, window: int = 10) -> list[float]:
        """Return the mean TEC over users for each window of turns (the learning curve)."""
        runs = self.runs[arm]
        points = []
        for start in range(0, self.turns, window):
            values = [v for r in runs for v in r.tec[start : start + window]]
            points.append(statistics.fmean(values) if values else 0.0)
        return points

    def to_json(self) -> dict[str, Any]:
        """Return the `--json` object of the documented shape."""
        return {
            "users": self.users,
            "turns": self.turns,
            "arms": {arm: self.arm_summary(arm) for arm in self.runs},
            "effect": {
                "tec": {
                    "delta": round(self.effect.delta, 4),
                    "ci_low": round(self.effect.ci_low, 4),
                    "ci_high": round(self.effect.ci_high, 4),
                }
            },
            "transitions_learned": self.transitions_learned,
        }


def bench_user_id(seed: int, arm: str, index: int) -> str:
    """Return the Student user id of one simulated user in one arm."""
    return f"bench-bifurcation/s{seed}/{arm}/u{index}"


def _reset(engine: Engine, store: MemoryStore, user_ids: Sequence[str]) -> None:
    for user_id in user_ids:
        store.delete_memories(user_id)
    with session_scope(engine) as session:
        session.execute(delete(TopicTransition).where(TopicTransition.user_id.in_(user_ids)))


def _play(
    micrograph: Micrograph,
    user_id: str,
    seed: int,
    index: int,
    turns: int,
    config: MicrographConfig,
) -> UserRun:
    user = make_user(seed, index)
    run = UserRun()
    message = user.opening()
    for turn in range(turns):
        step = micrograph.step(user_id, message, config=config, now=START + timedelta(minutes=turn))
        run.tec.append(step.tec if step.tec is not None else 0.0)
        run.words.append(len(message.split()))
        run.latency_ms.append(step.latency_ms)
        run.max_queries = max(run.max_queries, step.similarity_queries)
        target = step.chosen.text if step.chosen is not None else None
        message, looped = user.follow(target)
        if target is not None:
            run.jumps += 1
            run.loops += int(looped)
    return run


def run_bifurcation_bench(
    engine: Engine,
    embedder: Embedder,
    store: MemoryStore,
    *,
    users: int = 50,
    turns: int = 200,
    seed: int = 0,
    keep: bool = False,
    progress: Callable[[str, int], None] | None = None,
    base: MicrographConfig = ON,
) -> BenchResult:
    """Play `users` simulated users for `turns` messages in each arm; compare on with off.

    `base` is the arm `on`; the other two arms differ from it in one knob each.

    The bench's users are removed before (a re-run starts clean, so the same seed gives the
    same result) and, unless `keep`, after the run.
    """
    if users < 2 or turns < 3:
        raise InvalidInputError(
            f"the bench needs at least 2 users and 3 turns, got {users} and {turns}",
            hint="Try --users 50 --turns 200.",
        )
    arms = bench_arms(base)
    ids = {arm: [bench_user_id(seed, arm, i) for i in range(users)] for arm in arms}
    everyone = [uid for arm_ids in ids.values() for uid in arm_ids]
    _reset(engine, store, everyone)
    runs: dict[str, list[UserRun]] = {}
    try:
        for arm, config in arms.items():
            micrograph = Micrograph(engine, embedder=embedder, clock=lambda: START)
            runs[arm] = []
            for index, user_id in enumerate(ids[arm]):
                memories = [m.text for m in make_user(seed, index).memories]
                store.add_memories(user_id, memories, now=START, merge_duplicates=False)
                runs[arm].append(_play(micrograph, user_id, seed, index, turns, config))
                if progress is not None:
                    progress(arm, index + 1)
        with session_scope(engine) as session:
            learned = (
                session.query(TopicTransition)
                .filter(TopicTransition.user_id.in_(ids["on"]))
                .count()
            )
    finally:
        if not keep:
            _reset(engine, store, everyone)
    differences = [
        on.mean_tec - off.mean_tec for on, off in zip(runs["on"], runs["off"], strict=True)
    ]
    return BenchResult(users, turns, seed, runs, paired_effect(differences), learned)

"""`run_mirror_bench`: adaptive against static feedback on the same simulated days.

The unit of inference is the world (one seed: its users, rhythms and hidden effects): every
arm plays the same day of a world with the same noise, and the paired effect is a t interval
over worlds, never over the correlated episodes of one day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selflearn.learners.mirror import (
    Estimate,
    MirrorConfig,
    doubly_robust,
    ips,
    learned_policy,
)
from selflearn.simulator.engagement import PairedEffect, paired_effect
from selflearn.simulator.mirror._day import DayRun, play_day
from selflearn.simulator.mirror._world import SimulatedWorld, context_of

#: The arms every world plays: the static hub, ε-greedy (the seed's), Thompson sampling.
ARM_CONFIGS: dict[str, MirrorConfig] = {
    "static": MirrorConfig(adaptive=False),
    "adaptive": MirrorConfig(),
    "thompson": MirrorConfig(strategy="thompson"),
}
#: The noise seeds of the day the arms share, of the fresh day the learned policy plays, and
#: of the independent adaptive day whose log evaluates the learned policy off-line.
DAY_NOISE, FRESH_NOISE, LOG_NOISE = 1, 2, 3

Progress = Callable[[int, str, float], None]


@dataclass(frozen=True)
class WorldResult:
    """One world's figures."""

    seed: int
    rewards: dict[str, float]
    episodes: dict[str, int]
    coverage: float
    variance_first: dict[str, float]
    variance_last: dict[str, float]
    #: Variance of the reward on the first and the second day, same hours (runs of ≥ 48 h).
    variance_day: dict[str, tuple[float, float]] | None
    #: The part of the variance the policy controls (`DayRun.choice_variance_between`):
    #: first and last quarter, and (runs of ≥ 48 h) first and second day.
    choice_quarters: dict[str, tuple[float, float]]
    choice_day: dict[str, tuple[float, float]] | None
    online: Estimate
    ips: Estimate
    dr: Estimate
    best_share: float

    def covers(self, estimate: Estimate) -> bool:
        """Return whether an off-line estimate's interval holds the on-line value."""
        return estimate.ci_low <= self.online.value <= estimate.ci_high


def _online(run: DayRun) -> Estimate:
    values = [e.raw_reward for e in run.episodes]
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = 1.959963984540054 * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def play_world(seed: int, *, hours: float, progress: Progress | None = None) -> WorldResult:
    """Play every arm, then the learned policy on a fresh day, in one world."""
    world = SimulatedWorld(seed)
    runs: dict[str, DayRun] = {}
    for arm, config in ARM_CONFIGS.items():
        report = (lambda h, a=arm: progress(seed, a, h)) if progress else None
        runs[arm] = play_day(
            world, config, noise_seed=DAY_NOISE, hours=hours, hub_seed=seed, progress=report
        )
    adaptive = runs["adaptive"]
    fresh = play_day(
        world,
        ARM_CONFIGS["adaptive"],
        noise_seed=FRESH_NOISE,
        hours=hours,
        hub_seed=seed + 1,
        tables=adaptive.tables,
        learn=False,
        progress=(lambda h: progress(seed, "learned", h)) if progress else None,
    )
    # Off-line evaluation reads a log the learned policy was not chosen on: on its own day
    # the chosen arms' means carry the winner's curse (their in-sample noise is optimistic).
    log = play_day(
        world,
        ARM_CONFIGS["adaptive"],
        noise_seed=LOG_NOISE,
        hours=hours,
        hub_seed=seed + 2,
        progress=(lambda h: progress(seed, "log", h)) if progress else None,
    )
    target = learned_policy(adaptive.tables, ARM_CONFIGS["adaptive"])
    greedy = [e for e in fresh.episodes if e.source == "greedy"]
    best = sum(e.arm == world.best_arm(context_of(e.pre)) for e in greedy) / max(1, len(greedy))
    return WorldResult(
        seed=seed,
        rewards={arm: run.mean_reward() for arm, run in runs.items()},
        episodes={arm: len(run.episodes) for arm, run in runs.items()},
        coverage=adaptive.coverage,
        variance_first={arm: run.reward_variance(0, hours) for arm, run in runs.items()},
        variance_last={arm: run.reward_variance(3, hours) for arm, run in runs.items()},
        variance_day=(
            {
                arm: (run.variance_between(0, 24), run.variance_between(24, 48))
                for arm, run in runs.items()
            }
            if hours >= 48
            else None
        ),
        choice_quarters={
            arm: (
                run.choice_variance_between(world, 0, hours / 4),
                run.choice_variance_between(world, 3 * hours / 4, hours),
            )
            for arm, run in runs.items()
        },
        choice_day=(
            {
                arm: (
                    run.choice_variance_between(world, 0, 24),
                    run.choice_variance_between(world, 24, 48),
                )
                for arm, run in runs.items()
            }
            if hours >= 48
            else None
        ),
        online=_online(fresh),
        ips=ips(log.episodes, target),
        dr=doubly_robust(log.episodes, target),
        best_share=best,
    )


@dataclass(frozen=True)
class MirrorBenchResult:
    """Every world's figures and their summaries over worlds."""

    seed: int
    hours: float
    worlds: list[WorldResult]

    def effect(self, arm: str, base: str = "static") -> PairedEffect:
        """Return the paired effect of `arm` against `base` on mean (Δcoh − Δent)."""
        return paired_effect([w.rewards[arm] - w.rewards[base] for w in self.worlds])

    def mean(self, values: list[float]) -> float:
        """Return the mean of per-world values."""
        return sum(values) / len(values)

    def _by_day(self) -> dict[str, Any]:
        days = [w.variance_day for w in self.worlds]
        if any(d is None for d in days):
            return {}
        out: dict[str, Any] = {}
        for arm in ARM_CONFIGS:
            pairs = [d[arm] for d in days if d is not None]
            out[f"{arm}_day1"] = self.mean([p[0] for p in pairs])
            out[f"{arm}_day2"] = self.mean([p[1] for p in pairs])
            out[f"{arm}_day2_minus_day1"] = _effect(paired_effect([p[1] - p[0] for p in pairs]))
        return out

    def _choice(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for arm in ("adaptive", "thompson"):
            quarters = [w.choice_quarters[arm] for w in self.worlds]
            out[f"{arm}_first"] = self.mean([q[0] for q in quarters])
            out[f"{arm}_last"] = self.mean([q[1] for q in quarters])
            out[f"{arm}_change"] = _effect(paired_effect([q[1] - q[0] for q in quarters]))
            days = [w.choice_day[arm] for w in self.worlds if w.choice_day is not None]
            if len(days) == len(self.worlds):
                out[f"{arm}_day1"] = self.mean([d[0] for d in days])
                out[f"{arm}_day2"] = self.mean([d[1] for d in days])
                out[f"{arm}_day2_minus_day1"] = _effect(paired_effect([d[1] - d[0] for d in days]))
        return out

    def to_json(self) -> dict[str, Any]:
        """Return the bench as one JSON object (the documented shape, plus detail)."""
        effect = self.effect("adaptive")
        variance_change = paired_effect(
            [w.variance_last["adaptive"] - w.variance_first["adaptive"] for w in self.worlds]
        )
        ips_gap = paired_effect([w.ips.value - w.online.value for w in self.worlds])
        dr_gap = paired_effect([w.dr.value - w.online.value for w in self.worlds])
        return {
            "seed": self.seed,
            "hours": self.hours,
            "worlds": len(self.worlds),
            "world_seeds": [w.seed for w in self.worlds],
            "arms": {
                arm: {
                    "reward": self.mean([w.rewards[arm] for w in self.worlds]),
                    "episodes": self.mean([float(w.episodes[arm]) for w in self.worlds]),
                }
                for arm in ARM_CONFIGS
            },
            "effect": {
                "reward": _effect(effect),
                "thompson_vs_static": _effect(self.effect("thompson")),
                "thompson_vs_adaptive": _effect(self.effect("thompson", "adaptive")),
            },
            "coverage": self.mean([w.coverage for w in self.worlds]),
            "coverage_min": min(w.coverage for w in self.worlds),
            "reward_variance": {
                "first": self.mean([w.variance_first["adaptive"] for w in self.worlds]),
                "last": self.mean([w.variance_last["adaptive"] for w in self.worlds]),
                "change": _effect(variance_change),
                "static_first": self.mean([w.variance_first["static"] for w in self.worlds]),
                "static_last": self.mean([w.variance_last["static"] for w in self.worlds]),
                **self._by_day(),
                "policy_part": self._choice(),
            },
            "off_policy": {
                "ips": self.mean([w.ips.value for w in self.worlds]),
                "dr": self.mean([w.dr.value for w in self.worlds]),
                "online": self.mean([w.online.value for w in self.worlds]),
                "ips_covers_online": sum(w.covers(w.ips) for w in self.worlds),
                "dr_covers_online": sum(w.covers(w.dr) for w in self.worlds),
                "ips_minus_online": _effect(ips_gap),
                "dr_minus_online": _effect(dr_gap),
            },
            "learned_best_arm_share": self.mean([w.best_share for w in self.worlds]),
        }


def _effect(effect: PairedEffect) -> dict[str, float | int]:
    return {
        "delta": effect.delta,
        "ci_low": effect.ci_low,
        "ci_high": effect.ci_high,
        "p_value": effect.p_value,
        "n": effect.n,
    }


def run_mirror_bench(
    *, seed: int = 0, hours: float = 24.0, worlds: int = 5, progress: Progress | None = None
) -> MirrorBenchResult:
    """Play `worlds` worlds (seeds `seed`, `seed + 1`, ...) for `hours` each."""
    if worlds < 2:
        raise ValueError("the bench needs at least two worlds (the unit of inference)")
    results = [play_world(seed + i, hours=hours, progress=progress) for i in range(worlds)]
    return MirrorBenchResult(seed, hours, results)

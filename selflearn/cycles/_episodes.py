"""Run simulated episodes for a cycle, record them, and leave no memory space behind."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from selflearn.cycles._context import CycleContext
from selflearn.errors import InvalidInputError
from selflearn.simulator import Scenario, derive_seed, load_scenarios, play_and_record
from selflearn.simulator.episode import EpisodeResult, EpisodeSpec


def train_scenarios(path: Path) -> list[Scenario]:
    """Return the train-split scenarios under `path`, sorted by id."""
    scenarios = sorted(
        (s for s in load_scenarios([path]) if s.split == "train"), key=lambda s: s.id
    )
    if not scenarios:
        raise InvalidInputError(
            f"no train scenario under {path}",
            hint="Point --scenarios at scenario files with `split: train`.",
        )
    return scenarios


def cycle_seeds(ctx: CycleContext) -> list[int]:
    """Return the seeds of the macro episodes: the same every cycle, so cycles compare."""
    return [
        derive_seed(ctx.options.seed, "macro", index) % 1_000_000
        for index in range(ctx.options.macro_seeds)
    ]


def run_recorded(ctx: CycleContext, specs: Sequence[EpisodeSpec]) -> list[EpisodeResult]:
    """Play each episode through the Student and record it; its memories are dropped."""
    return [
        play_and_record(
            spec,
            ctx.student,
            ctx.engine,
            paraphraser=ctx.roles.paraphraser,
            judge=ctx.roles.judge,
        )
        for spec in specs
    ]

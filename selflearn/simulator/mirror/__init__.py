"""The simulated field and the mirror bench: worlds whose best feedback the hub cannot see."""

from selflearn.simulator.mirror._bench import (
    ARM_CONFIGS,
    MirrorBenchResult,
    WorldResult,
    play_world,
    run_mirror_bench,
)
from selflearn.simulator.mirror._day import DayRun, play_day
from selflearn.simulator.mirror._world import (
    DAY_START,
    Context,
    SimulatedField,
    SimulatedWorld,
    context_of,
)

__all__ = [
    "ARM_CONFIGS",
    "DAY_START",
    "Context",
    "DayRun",
    "MirrorBenchResult",
    "SimulatedField",
    "SimulatedWorld",
    "WorldResult",
    "context_of",
    "play_day",
    "play_world",
    "run_mirror_bench",
]

"""The engagement world and the bifurcation bench: users whose tastes the learner cannot see."""

from selflearn.simulator.engagement._bench import (
    ARMS,
    BenchResult,
    MemoryStore,
    UserRun,
    bench_arms,
    bench_user_id,
    run_bifurcation_bench,
)
from selflearn.simulator.engagement._stats import PairedEffect, paired_effect
from selflearn.simulator.engagement._world import WorldMemory, WorldUser, make_user

__all__ = [
    "ARMS",
    "BenchResult",
    "MemoryStore",
    "PairedEffect",
    "UserRun",
    "WorldMemory",
    "WorldUser",
    "bench_arms",
    "bench_user_id",
    "make_user",
    "paired_effect",
    "run_bifurcation_bench",
]

"""Benchmark: simulated turns per second, offline, on the embedded PostgreSQL.

Target: 1,000 simulated turns in under 60 s on 2 cores.
Usage: python benchmarks/simulated_turns.py [--turns 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selflearn.bootstrap import open_components
from selflearn.simulator import load_scenarios
from selflearn.simulator.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=1000)
    args = parser.parse_args()
    components = open_components()
    database = components.database
    scenarios = load_scenarios([ROOT / "scenarios"])
    per_round = sum(1 for _ in scenarios)
    service = components.student(telemetry_flush_every=64)
    started = time.perf_counter()
    turns = episodes = rounds = 0
    while turns < args.turns:
        report = simulate(scenarios, client=service, engine=database.engine, seed=rounds)
        turns += report.turns
        episodes += report.episodes
        rounds += 1
    elapsed = time.perf_counter() - started
    print(f"scenarios per round: {per_round}")
    print(
        f"{turns} turns in {episodes} episodes: {elapsed:.1f} s "
        f"({turns / elapsed:.0f} turns/s, {1000 * elapsed / turns:.1f} ms per turn)"
    )


if __name__ == "__main__":
    main()

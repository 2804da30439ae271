"""What telemetry costs a Student turn: per-turn writes, batched writes, and none.

    .venv/bin/python benchmarks/turn_overhead.py [--turns 300] [--out FILE.md]

One user with 500 memories; the same offline chat turns are run three times: telemetry
flushed every turn (one transaction, one multi-row INSERT per table), flushed every 50 turns,
and not written at all (the writer replaced by a no-op). The difference of the mean turn
times is the cost of telemetry.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, percentile, scratch_components

from selflearn.maas import MemoryService

TOPICS = ["hiking", "guitar", "bakery", "chess", "garden", "sailing", "pottery", "cinema"]


def _turns(service: MemoryService, turns: int, offset: int) -> list[float]:
    times = []
    for i in range(offset, offset + turns):
        started = time.perf_counter()
        service.chat_turn("bench", f"What did I say about {TOPICS[i % len(TOPICS)]} plans?")
        times.append((time.perf_counter() - started) * 1000)
    service.flush()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/telemetry.md"))
    args = parser.parse_args()
    rows = []
    with scratch_components("bench_turns") as components:
        seed = components.student(archive_turns=False)
        seed.add_memories(
            "bench",
            [f"Note {i}: my {TOPICS[i % 8]} plans for week {i} are settled." for i in range(500)],
        )
        arms = {}
        for label, flush_every, disabled in (
            ("every turn (flush_every=1)", 1, False),
            ("batched (flush_every=50)", 50, False),
            ("no telemetry", 1, True),
        ):
            service = components.student(archive_turns=False, telemetry_flush_every=flush_every)
            if disabled:
                service.telemetry.record = lambda turn: None  # type: ignore[method-assign]
            arms[label] = service
        _turns(arms["every turn (flush_every=1)"], 50, 0)  # warm-up
        times: dict[str, list[float]] = {label: [] for label in arms}
        # Arms take turns in rounds so drifting machine load spreads over all of them.
        rounds = max(1, args.turns // 50)
        for round_ in range(rounds):
            for label, service in arms.items():
                times[label] += _turns(service, 50, round_ * 50)
        rows = list(times.items())
        for label, values in rows:
            print(label, statistics.fmean(values))
    base = statistics.fmean(rows[-1][1])
    lines = [
        "# Telemetry cost per Student turn",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with "
        f"`.venv/bin/python benchmarks/turn_overhead.py --turns {args.turns}` (offline "
        "responder, 500 memories, archiving off so every arm sees the same data).",
        "",
        "| telemetry | mean ms/turn | p50 | p95 | cost vs none |",
        "|---|---|---|---|---|",
    ]
    for label, times in rows:
        mean = statistics.fmean(times)
        lines.append(
            f"| {label} | {mean:.2f} | {percentile(times, 0.5):.2f} | "
            f"{percentile(times, 0.95):.2f} | {mean - base:+.2f} ms ({(mean - base) / base:+.0%}) |"
        )
    lines.append("")
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

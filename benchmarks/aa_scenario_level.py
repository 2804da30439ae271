"""Benchmark: the false-positive rate of scenario-level inference in A/A comparisons.

Both arms run the same parameter version (the defaults); they differ only in the emulator's
seed, so every difference is noise (the paraphrases of what the simulated users say). A
fresh generated set is played once per arm and scenario; then many A/A experiments of 30
scenarios each are drawn from it (without replacement within an experiment, seeded), and each
is tested with `scenario_paired_test` on the primary metrics. A decision (winner or loser) in
an A/A comparison is a false positive; the target is at most 5 %.

Usage: python benchmarks/aa_scenario_level.py [--scenarios 120] [--experiments 1000]
       [--set-seed 424242] [--out benchmarks/results/aa_scenario.md]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components

from selflearn.agents.teacher.stats import scenario_paired_test
from selflearn.simulator import load_scenarios, play_and_record, write_generated_set
from selflearn.simulator.episode import EpisodeSpec

METRICS = {"hallucination_rate": False, "answer_correct_rate": True, "recall": True}
_FIELDS = {"recall": "retrieval_recall"}
ROOT = Path(__file__).resolve().parents[1]


def play(scenarios, components, seed: int) -> dict[str, dict[tuple[str, int], float | None]]:
    """Play every scenario once with the emulator seed `seed`; per-metric values by key."""
    out: dict[str, dict[tuple[str, int], float | None]] = {m: {} for m in METRICS}
    with components.student(telemetry_flush_every=64) as student:
        for scenario in scenarios:
            spec = EpisodeSpec(scenario=scenario, seed=seed, campaign_id=f"aa-{seed}")
            result = play_and_record(spec, student, components.database.engine)
            for metric in METRICS:
                out[metric][(scenario.id, 0)] = getattr(result.metrics, _FIELDS.get(metric, metric))
    return out


def _only(values: dict[tuple[str, int], float | None], chosen: set[str]) -> dict:
    return {key: value for key, value in values.items() if key[0] in chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=120)
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--per-experiment", type=int, default=30)
    parser.add_argument("--set-seed", type=int, default=424242)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/aa_scenario.md")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, scratch_components("bench_aa") as components:
        write_generated_set(args.scenarios, args.set_seed, Path(folder))
        scenarios = load_scenarios([Path(folder)])
        arm_a = play(scenarios, components, seed=1)
        arm_b = play(scenarios, components, seed=2)
    played_s = time.perf_counter() - started
    rng = random.Random(7)
    ids = sorted(s.id for s in scenarios)
    decided = dict.fromkeys(METRICS, 0)
    any_decided = 0
    for _ in range(args.experiments):
        chosen = set(rng.sample(ids, args.per_experiment))
        hit = False
        for metric, higher in METRICS.items():
            test = scenario_paired_test(
                _only(arm_a[metric], chosen), _only(arm_b[metric], chosen), higher_is_better=higher
            )
            if test.verdict != "inconclusive":
                decided[metric] += 1
                hit = True
        any_decided += hit
    rows = [
        f"| {metric} | {decided[metric]} | {100 * decided[metric] / args.experiments:.1f} % |"
        for metric in METRICS
    ]
    text = "\n".join(
        [
            "# A/A false-positive rate of scenario-level inference",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with "
            f"`python benchmarks/aa_scenario_level.py --scenarios {args.scenarios} "
            f"--experiments {args.experiments} --set-seed {args.set_seed}` "
            f"({played_s:.0f} s to play).",
            "",
            f"A fresh generated set of {args.scenarios} scenarios (set seed {args.set_seed}, "
            "not looked at before) is played twice on the default parameters, with emulator "
            "seeds 1 and 2: the arms differ only in how the simulated users word things. "
            f"{args.experiments} A/A experiments of {args.per_experiment} scenarios each are "
            "drawn from it (seeded); each compares the scenario means with the paired t-test "
            "at alpha 0.05 (`scenario_paired_test`). Every decision is a false positive. The "
            "experiments share scenarios, so the rates are estimates for this set, not "
            "independent trials.",
            "",
            "| metric | experiments decided | false-positive rate |",
            "|---|---|---|",
            *rows,
            f"| any of the three | {any_decided} | "
            f"{100 * any_decided / args.experiments:.1f} % |",
            "",
        ]
    )
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

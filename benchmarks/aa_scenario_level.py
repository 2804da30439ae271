"""Benchmark: the false-positive rate of scenario-level inference in A/A comparisons.

Both arms run the same parameter version (the defaults); they differ only in the emulator's
seed, so every difference is noise (the paraphrases of what the simulated users say). A
fresh generated set is played with two emulator seeds per scenario; then many A/A
experiments of 30 scenarios each are drawn from it (without replacement within an
experiment, seeded). Which seed plays which arm is drawn per scenario and experiment, as a
real A/A with randomly assigned seeds would do: with the arms fixed, a finite set's chance
difference between the two seeds would be counted again in every experiment. Each experiment
is tested with `scenario_paired_test` (the sign-flip permutation test over scenario means)
on the primary metrics; a decision (winner or loser) is a false positive. The target is at
most 5 % per metric. The same experiments are also tested with the paired t-test
(`fixed_paired_test`), the method `scenario_paired_test` used before, for comparison.

Usage: python benchmarks/aa_scenario_level.py [--scenarios 120] [--experiments 1000]
       [--set-seed 424242] [--played FILE.json] [--out benchmarks/results/aa_scenario.md]
(`--played` keeps the played values, and reuses them when the file exists.)
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components

from selflearn.agents.teacher.stats import fixed_paired_test, scenario_paired_test
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


Played = dict[str, dict[tuple[str, int], float | None]]


def _arms(a: dict, b: dict, chosen: list[str], swapped: set[str]) -> tuple[dict, dict]:
    """Return the two arms of one A/A experiment: seed 1 or 2 per scenario, as drawn."""
    first = {k: (b if k[0] in swapped else a)[k] for k in a if k[0] in chosen}
    second = {k: (a if k[0] in swapped else b)[k] for k in a if k[0] in chosen}
    return first, second


def _save(path: Path, arm_a: Played, arm_b: Played) -> None:
    data = {
        name: {m: [[k[0], k[1], v] for k, v in values.items()] for m, values in arm.items()}
        for name, arm in (("a", arm_a), ("b", arm_b))
    }
    path.write_text(json.dumps(data))


def _load(path: Path) -> tuple[Played, Played]:
    data = json.loads(path.read_text())
    arms = [
        {m: {(s, int(i)): v for s, i, v in rows} for m, rows in data[name].items()}
        for name in ("a", "b")
    ]
    return arms[0], arms[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=120)
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--per-experiment", type=int, default=30)
    parser.add_argument("--set-seed", type=int, default=424242)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/aa_scenario.md")
    parser.add_argument("--played", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.played is not None and args.played.exists():
        arm_a, arm_b = _load(args.played)
    else:
        with tempfile.TemporaryDirectory() as folder, scratch_components("bench_aa") as parts:
            write_generated_set(args.scenarios, args.set_seed, Path(folder))
            scenarios = load_scenarios([Path(folder)])
            arm_a = play(scenarios, parts, seed=1)
            arm_b = play(scenarios, parts, seed=2)
        if args.played is not None:
            _save(args.played, arm_a, arm_b)
    played_s = time.perf_counter() - started
    rng = random.Random(7)
    ids = sorted({key[0] for key in arm_a["recall"]})
    decided = dict.fromkeys(METRICS, 0)
    decided_t = dict.fromkeys(METRICS, 0)
    any_decided = any_decided_t = 0
    for _ in range(args.experiments):
        chosen = rng.sample(ids, args.per_experiment)
        swapped = {scenario for scenario in chosen if rng.random() < 0.5}
        hit = hit_t = False
        for metric, higher in METRICS.items():
            first, second = _arms(arm_a[metric], arm_b[metric], chosen, swapped)
            test = scenario_paired_test(first, second, higher_is_better=higher)
            if test.verdict != "inconclusive":
                decided[metric] += 1
                hit = True
            classic = scenario_paired_test(
                first, second, higher_is_better=higher, test=fixed_paired_test
            )
            if classic.verdict != "inconclusive":
                decided_t[metric] += 1
                hit_t = True
        any_decided += hit
        any_decided_t += hit_t

    def rate(count: int) -> str:
        return f"{count} ({100 * count / args.experiments:.1f} %)"

    rows = [
        f"| {metric} | {rate(decided[metric])} | {rate(decided_t[metric])} |" for metric in METRICS
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
            "drawn from it (seeded), and which seed plays which arm is drawn per scenario; "
            "each experiment compares the scenario means at alpha 0.05 with the sign-flip "
            "permutation test (`scenario_paired_test`) and, for comparison, with the paired "
            "t-test it used before. Every decision is a false positive. The "
            "experiments share scenarios, so the rates are estimates for this set, not "
            "independent trials.",
            "",
            "| metric | decided: permutation test | decided: paired t-test |",
            "|---|---|---|",
            *rows,
            f"| any of the three | {rate(any_decided)} | {rate(any_decided_t)} |",
            "",
        ]
    )
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

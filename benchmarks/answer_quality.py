"""Benchmark: the default version's answers on a fresh generated set, offline.

Plays every scenario of a generated set (seed `--seed`) once (emulator seed 1) on the
version a fresh database starts from, and reports the issue's answer measures over the
answerable probes, with the scenarios as the unit: answer-correct, hallucination and
false abstention, on all scenarios and on those where several users share one service,
each with a 95 % t interval of the scenario mean. `--save` keeps the per-scenario means;
`--baseline` pairs them with means saved earlier on the same set (by an older build of the
Student, say) and tests each change with the scenario-level sign-flip permutation test.

Usage: python benchmarks/answer_quality.py --seed S [--count 40] [--save FILE]
       [--baseline FILE] [--out benchmarks/results/answer_quality.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components, t_interval

from selflearn.agents.teacher.stats import scenario_paired_test
from selflearn.simulator import load_scenarios, play_and_record, write_generated_set
from selflearn.simulator.episode import EpisodeSpec
from selflearn.store import session_scope
from selflearn.tuner import ensure_active_version

ROOT = Path(__file__).resolve().parents[1]
# name -> (the per-probe flag, higher is better, only scenarios of several users)
MEASURES = {
    "answer-correct": ("correct", True, False),
    "hallucination": ("hallucinated", False, False),
    "false abstention": ("abstained", False, False),
    "answer-correct (multi-user)": ("correct", True, True),
    "hallucination (multi-user)": ("hallucinated", False, True),
    "false abstention (multi-user)": ("abstained", False, True),
}
TARGETS = {"answer-correct": ">= 0.75", "hallucination": "<= 0.10", "false abstention": "<= 0.10"}

Means = dict[str, dict[str, float]]


def play(seed: int, count: int) -> Means:
    """Return each measure's per-scenario means on the default version."""
    out: Means = {name: {} for name in MEASURES}
    with tempfile.TemporaryDirectory() as folder, scratch_components("bench_answers") as parts:
        write_generated_set(count, seed, Path(folder))
        scenarios = load_scenarios([Path(folder)])
        with session_scope(parts.database.engine) as session:
            ensure_active_version(session=session, now=datetime.now(UTC))
        with parts.student(telemetry_flush_every=64) as student:
            for done, scenario in enumerate(scenarios, 1):
                spec = EpisodeSpec(scenario=scenario, seed=1, campaign_id="bench-answers")
                result = play_and_record(spec, student, parts.database.engine)
                shared = len(scenario.participants()) > 1
                answerable = [p for p in result.probes if not p.score.unanswerable]
                for name, (field, _, multi) in MEASURES.items():
                    if answerable and (shared or not multi):
                        flags = [bool(getattr(p.score, field)) for p in answerable]
                        out[name][scenario.id] = sum(flags) / len(flags)
                if done % 10 == 0:
                    print(f"  {done}/{len(scenarios)} scenarios", flush=True)
    return out


def _summary(values: list[float]) -> str:
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{mean:.3f}"
    low, high = t_interval(values)
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def report(args: argparse.Namespace, means: Means, seconds: float) -> str:
    """Return the markdown report of `means` (and of the change from a baseline)."""
    lines = [
        "# The default version's answers on a fresh generated set (offline)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with `python "
        f"benchmarks/answer_quality.py --seed {args.seed} --count {args.count}` "
        f"({seconds:.0f} s): offline Student on the version a fresh database starts from, "
        "one episode per scenario, answerable probes only. The unit is the scenario: "
        "n scenarios, mean of the scenario means with its 95 % t interval.",
        "",
        "| measure | n | mean [95 % CI] | target |",
        "|---|---|---|---|",
    ]
    for name in MEASURES:
        values = list(means[name].values())
        target = TARGETS.get(name.removesuffix(" (multi-user)"), "")
        lines.append(f"| {name} | {len(values)} | {_summary(values)} | {target} |")
    if args.baseline is not None:
        base: Means = json.loads(args.baseline.read_text(encoding="utf-8"))
        lines += [
            "",
            f"## Change from the baseline `{args.baseline.name}` (same set, paired by scenario)",
            "",
            "Sign-flip permutation test over scenario means (`scenario_paired_test`, "
            "alpha 0.05, at least 10 scenarios); changes in points.",
            "",
            "| measure | n | baseline | now | change, pts [95 % CI] | p | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, (_, higher, _) in MEASURES.items():
            before = {(k, 0): v for k, v in base[name].items()}
            after = {(k, 0): v for k, v in means[name].items()}
            test = scenario_paired_test(before, after, higher_is_better=higher)
            lines.append(
                f"| {name} | {test.n} | {statistics.fmean(base[name].values()):.3f} "
                f"| {statistics.fmean(means[name].values()):.3f} | {100 * test.effect:+.1f} "
                f"[{100 * test.ci_low:+.1f}, {100 * test.ci_high:+.1f}] | {test.p_value:.3f} "
                f"| {test.verdict} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--save", type=Path, help="write the per-scenario means here")
    parser.add_argument("--baseline", type=Path, help="per-scenario means saved earlier")
    parser.add_argument("--out", type=Path, help="write the markdown report here")
    args = parser.parse_args()
    if args.baseline is not None and not args.baseline.is_file():
        parser.error(f"--baseline {args.baseline}: no such file; save one with --save first")
    started = time.perf_counter()
    means = play(args.seed, args.count)
    if args.save is not None:
        args.save.write_text(json.dumps(means, indent=1, sort_keys=True), encoding="utf-8")
    text = report(args, means, time.perf_counter() - started)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

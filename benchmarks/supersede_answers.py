"""Benchmark: what supersede links do for answers about facts that changed, end to end.

Generated scenarios are played against the offline Student with links off (the archivist
links nothing) and on (links, and retrieval ranks a superseded memory `superseded_penalty`
lower for questions about the present). The penalty is chosen on a training set (seed
`--train-seed`) by a rule fixed before the run: the highest answer-correct rate over all
probes, ties to the smaller penalty; links are kept only if that arm is not below "off" on
the training set. Then "off" and the chosen arm are played once on a fresh report set
(seed `--report-seed`) and compared with the scenario-level paired test (scenarios are the
unit): answer-correct over all probes, over the probes about a changed fact ("update") and
about how things were before ("temporal"), hallucination and false abstention.

Usage: python benchmarks/supersede_answers.py [--train-seed 7100] [--report-seed 8200]
       [--count 40] [--out benchmarks/results/supersede_answers.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components

from selflearn.agents.teacher.stats import scenario_paired_test
from selflearn.simulator import load_scenarios, play_and_record, write_generated_set
from selflearn.simulator.episode import EpisodeSpec

PENALTIES = (0.1, 0.2, 0.4)
ROOT = Path(__file__).resolve().parents[1]
# name -> (probe kinds counted, None for all; the per-probe value; higher is better)
MEASURES = {
    "answer-correct (all probes)": (None, "correct", True),
    "answer-correct (update probes)": (("update",), "correct", True),
    "answer-correct (temporal probes)": (("temporal",), "correct", True),
    "hallucination (all probes)": (None, "hallucinated", False),
}

Values = dict[str, dict[tuple[str, int], float | None]]


def _mean(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def play(scenarios, parts, *, links: bool, penalty: float, label: str) -> Values:
    """Play every scenario once (emulator seed 1); per-measure scenario means."""
    out: Values = {name: {} for name in MEASURES}
    with parts.student(telemetry_flush_every=64) as student:
        student.archivist.supersede_min_cosine = 0.0 if links else None
        student.retrieval = dataclasses.replace(student.retrieval, superseded_penalty=penalty)
        for done, scenario in enumerate(scenarios, 1):
            spec = EpisodeSpec(scenario=scenario, seed=1, campaign_id=f"sup-{label}")
            result = play_and_record(spec, student, parts.database.engine)
            for name, (kinds, field, _) in MEASURES.items():
                flags = [
                    bool(getattr(p.score, field))
                    for p in result.probes
                    if not p.score.unanswerable and (kinds is None or p.probe.kind in kinds)
                ]
                out[name][(scenario.id, 0)] = _mean(flags)
            if done % 10 == 0:
                print(f"  {label}: {done}/{len(scenarios)} scenarios", flush=True)
    return out


def _overall(values: Values, name: str) -> float:
    present = [v for v in values[name].values() if v is not None]
    return sum(present) / len(present)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-seed", type=int, default=7100)
    parser.add_argument("--report-seed", type=int, default=8200)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/supersede_answers.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    key = "answer-correct (all probes)"
    with tempfile.TemporaryDirectory() as folder, scratch_components("bench_sup") as parts:
        train_dir, report_dir = Path(folder, "train"), Path(folder, "report")
        write_generated_set(args.count, args.train_seed, train_dir)
        write_generated_set(args.count, args.report_seed, report_dir)
        train, report = load_scenarios([train_dir]), load_scenarios([report_dir])
        arms = {"off": play(train, parts, links=False, penalty=0.0, label="train off")}
        for penalty in PENALTIES:
            arms[f"on {penalty}"] = play(
                train, parts, links=True, penalty=penalty, label=f"train on {penalty}"
            )
        best = max(PENALTIES, key=lambda p: (_overall(arms[f"on {p}"], key), -p))
        keep = _overall(arms[f"on {best}"], key) >= _overall(arms["off"], key)
        train_rows = [
            f"| {arm} | " + " | ".join(f"{_overall(v, n):.3f}" for n in MEASURES) + " |"
            for arm, v in arms.items()
        ]
        off = play(report, parts, links=False, penalty=0.0, label="report off")
        on = play(report, parts, links=True, penalty=best, label=f"report on {best}")
    rows = []
    for name, (_, _, higher) in MEASURES.items():
        test = scenario_paired_test(off[name], on[name], higher_is_better=higher)
        rows.append(
            f"| {name} | {_overall(off, name):.3f} | {_overall(on, name):.3f} | {test.n} | "
            f"{test.effect:+.3f} [{test.ci_low:+.3f}, {test.ci_high:+.3f}] | {test.p_value:.3f} "
            f"| {test.verdict} |"
        )
    text = "\n".join(
        [
            "# Supersede links end to end: answers about facts that changed",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with "
            f"`python benchmarks/supersede_answers.py --train-seed {args.train_seed} "
            f"--report-seed {args.report_seed} --count {args.count}` "
            f"({time.perf_counter() - started:.0f} s), offline Student, default version.",
            "",
            f"## Training set (seed {args.train_seed}, {len(train)} scenarios): choice",
            "",
            "| arm | " + " | ".join(MEASURES) + " |",
            "|---|" + "---|" * len(MEASURES),
            *train_rows,
            "",
            f"Chosen by the rule fixed before the run: penalty **{best}**; links "
            + ("kept" if keep else "not better than off on the training set"),
            "",
            f"## Report set (seed {args.report_seed}, {len(report)} scenarios), played once",
            "",
            "Scenario-level sign-flip permutation test (`scenario_paired_test`, alpha 0.05); "
            "n is the number of scenarios with probes of that kind.",
            "",
            f"| measure | off | on (penalty {best}) | n | on − off [95 % CI] | p | verdict |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

"""Benchmark: what each answer-behaviour factor does offline, on generated scenarios only.

The offline responder's behaviours are impact factors (`responder.answer_style`,
`conflict_policy`, `fact_scope`, `abstain_policy`; `docs/memory-service.md`). This plays a
fresh generated set (seed `--seed`, never used to build the responder or its rules) once
per arm: the defaults, then each non-default value alone, as the arms of one experiment
prepared through the Tuner. Each arm is compared with the defaults by the scenario-level
paired test (scenarios are the unit): answer-correct over answerable probes and over the
probes about a changed fact ("update") and about another user ("isolation"),
hallucination and false abstention, and the same three on the scenarios where several
users share one service. Nothing is chosen here; the figures say which
behaviours an offline campaign can move, and which way.

Usage: python benchmarks/responder_behaviours.py [--seed 9300] [--count 40]
       [--out benchmarks/results/responder_behaviours.md]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components

from selflearn.agents.teacher.stats import scenario_paired_test
from selflearn.simulator import load_scenarios, play_and_record, write_generated_set
from selflearn.simulator.episode import EpisodeSpec
from selflearn.store import session_scope
from selflearn.tuner import ensure_active_version, prepare_experiment

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = "behaviours"
ARMS: dict[str, dict[str, str]] = {
    "style grounded": {"responder.answer_style": "grounded"},
    "style concise": {"responder.answer_style": "concise"},
    "conflicts latest": {"responder.conflict_policy": "latest"},
    "scope own": {"responder.fact_scope": "own"},
    "abstain uncertain": {"responder.abstain_policy": "uncertain"},
}
# name -> (probe kinds counted, None for all answerable; the per-probe flag; higher is
# better; only scenarios of several users of one service)
MEASURES = {
    "answer-correct": (None, "correct", True, False),
    "answer-correct (update)": (("update",), "correct", True, False),
    "answer-correct (isolation)": (("isolation",), "correct", True, False),
    "hallucination": (None, "hallucinated", False, False),
    "false abstention": (None, "abstained", False, False),
    "answer-correct (multi-user scenarios)": (None, "correct", True, True),
    "hallucination (multi-user scenarios)": (None, "hallucinated", False, True),
    "false abstention (multi-user scenarios)": (None, "abstained", False, True),
}

Values = dict[str, dict[tuple[str, int], float | None]]


def _variant(arm: str) -> str:
    return arm.replace(" ", "-")


def play(scenarios, parts, *, variant: str, label: str) -> Values:
    """Play every scenario once (emulator seed 1) on one arm; per-measure scenario means."""
    out: Values = {name: {} for name in MEASURES}
    with parts.student(telemetry_flush_every=64) as student:
        for done, scenario in enumerate(scenarios, 1):
            spec = EpisodeSpec(
                scenario=scenario,
                seed=1,
                campaign_id="bench-behaviours",
                experiment_id=EXPERIMENT,
                variant=variant,
            )
            result = play_and_record(spec, student, parts.database.engine)
            shared = len(scenario.participants()) > 1
            for name, (kinds, field, _, multi) in MEASURES.items():
                flags = [
                    bool(getattr(p.score, field))
                    for p in result.probes
                    if not p.score.unanswerable
                    and (kinds is None or p.probe.kind in kinds)
                    and (shared or not multi)
                ]
                out[name][(scenario.id, 0)] = sum(flags) / len(flags) if flags else None
            if done % 10 == 0:
                print(f"  {label}: {done}/{len(scenarios)} scenarios", flush=True)
    return out


def _overall(values: Values, name: str) -> float:
    present = [v for v in values[name].values() if v is not None]
    return sum(present) / len(present) if present else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9300)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/responder_behaviours.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, scratch_components("bench_beh") as parts:
        write_generated_set(args.count, args.seed, Path(folder))
        scenarios = load_scenarios([Path(folder)])
        now = datetime.now(UTC)
        variants = [{"name": "baseline", "params": {}}]
        variants += [{"name": _variant(a), "params": p} for a, p in ARMS.items()]
        with session_scope(parts.database.engine) as session:
            ensure_active_version(session=session, now=now)
            prepare_experiment(
                {"type": "prepare_experiment", "experiment_id": EXPERIMENT, "variants": variants},
                session=session,
                now=now,
            )
        base = play(scenarios, parts, variant="baseline", label="defaults")
        arms = {a: play(scenarios, parts, variant=_variant(a), label=a) for a in ARMS}
    rows = []
    for arm, values in arms.items():
        for name, (_, _, higher, _) in MEASURES.items():
            test = scenario_paired_test(base[name], values[name], higher_is_better=higher)
            rows.append(
                f"| {arm} | {name} | {_overall(base, name):.3f} | {_overall(values, name):.3f} "
                f"| {test.n} | {100 * test.effect:+.1f} [{100 * test.ci_low:+.1f}, "
                f"{100 * test.ci_high:+.1f}] | {test.p_value:.3f} | {test.verdict} |"
            )
    text = "\n".join(
        [
            "# The offline responder's answer behaviours, each against the defaults",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with "
            f"`python benchmarks/responder_behaviours.py --seed {args.seed} "
            f"--count {args.count}` ({time.perf_counter() - started:.0f} s): offline Student, "
            f"a generated set of {len(scenarios)} scenarios (seed {args.seed}, a report set: "
            "no behaviour or threshold was set while looking at it), each scenario played "
            "once per arm. Scenario-level sign-flip permutation test "
            "(`scenario_paired_test`, alpha 0.05); n is the number of scenarios with "
            "probes of that kind; changes in points, 95 % intervals. Defaults: style "
            "sentence, conflicts best_match, scope anyone, abstain unsupported.",
            "",
            "| arm | measure | defaults | arm | n | arm − defaults, pts [95 % CI] | p | verdict |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

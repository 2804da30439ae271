"""Benchmark: does the default campaign improve its primary metric on held-out scenarios?

For each seed, `selflearn campaign run --seed S` (what `make run` does: the default goal, the
bundled scenarios, the default budget, offline providers) runs in a fresh SELFLEARN_HOME, so
it starts from the SPEC defaults (version 1). The report's held-out check compares the
version the campaign started from with the one it ended on, on 30 generated held-out
scenarios it never tuned on, with the sign-flip permutation test over scenario means per
metric (a loss the paired t-test finds also rolls back). The first seed is run twice, each
time in a new process and a new database, to check that the same seed gives the same verdicts
and versions.

Usage: python benchmarks/campaign_heldout.py [--seeds 0 1 2] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _maas_bench import machine

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "selflearn"


def _run(args: list[str], home: Path) -> dict[str, Any]:
    env = {**os.environ, "SELFLEARN_HOME": str(home)}
    done = subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout)


def campaign(seed: int) -> dict[str, Any]:
    """Run the default campaign with `seed` in a fresh home; return its outcome and report."""
    with tempfile.TemporaryDirectory(prefix="sl-heldout-", dir="/tmp") as home:
        started = time.perf_counter()
        outcome = _run(["campaign", "run", "--seed", str(seed), "--json"], Path(home))
        elapsed = time.perf_counter() - started
        shown = _run(["campaign", "show", outcome["campaign_id"], "--json"], Path(home))
    return {"seed": seed, "elapsed_s": elapsed, "outcome": outcome, "report": shown}


def _signature(result: dict[str, Any]) -> list[Any]:
    outcome = result["outcome"]
    experiments = [
        (e["id"].rsplit("/", 1)[-1], e["verdict"], sorted(e["deltas"].items()))
        for e in outcome["experiments"]
    ]
    return [experiments, outcome["active_version"]]


def _report_of(result: dict[str, Any]) -> dict[str, Any]:
    shown = result["report"]
    return shown.get("report", shown)


def _rows(result: dict[str, Any]) -> list[str]:
    report = _report_of(result)
    lines = []
    for delta in report.get("holdout", []):
        scale = 100 if delta["metric"] not in ("latency_ms_p95", "cost_per_probe_usd") else 1
        unit = "pts" if scale == 100 else ""
        low, high = delta.get("ci_low"), delta.get("ci_high")
        interval = (
            "" if low is None or high is None else f"[{low * scale:+.1f}, {high * scale:+.1f}]"
        )
        lines.append(
            f"| {result['seed']} | {delta['metric']} ({delta['role']}) | "
            f"{delta['baseline']:.3f} | {delta['variant']:.3f} | "
            f"{delta['effect'] * scale:+.1f} {unit} | {interval} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/campaign_heldout.md")
    args = parser.parse_args()
    results = []
    for seed in args.seeds:
        print(f"campaign seed {seed} ...", flush=True)
        results.append(campaign(seed))
    print(f"campaign seed {args.seeds[0]} again, in a new process and database ...", flush=True)
    replay = campaign(args.seeds[0])
    same = _signature(replay) == _signature(results[0])
    if not same:
        print("first run:", json.dumps(_signature(results[0])), flush=True)
        print("replay:   ", json.dumps(_signature(replay)), flush=True)

    lines = [
        "# The default campaign on held-out scenarios (offline)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}, embedded PostgreSQL 16 + "
        "pgvector, offline providers, with `.venv/bin/python benchmarks/campaign_heldout.py`.",
        "Each run is `selflearn campaign run --seed S --json` (the default goal *cut "
        "hallucinations below 5 % without losing recall*, the bundled training scenarios, the "
        "default budget) in a fresh SELFLEARN_HOME, so it starts from the SPEC defaults. It "
        "monitors on 30 scenarios generated fresh from a set seed derived from the campaign "
        "seed (never trained on, never looked at while building the generator or the Student), "
        "with the scenarios as the unit: one episode per scenario and arm, the sign-flip "
        "permutation test over scenario means. The rule that rolls a change back (a "
        "significant loss on the primary metric, a guardrail or the answer-correct rate) was "
        "fixed before this ran, with the paired t-test; a loss either test finds counts.",
        "",
        "## What each campaign adopted",
        "",
        "| seed | minutes | experiments | winners | active version | held-out verdict |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        outcome, report = result["outcome"], _report_of(result)
        winners = [
            e["id"].rsplit("/", 1)[-1] for e in outcome["experiments"] if e["verdict"] == "winner"
        ]
        note = report.get("holdout_note", "")
        lines.append(
            f"| {result['seed']} | {result['elapsed_s'] / 60:.1f} | "
            f"{len(outcome['experiments'])} | {', '.join(winners) or 'none'} | "
            f"{outcome['active_version']} | {note} |"
        )
    lines += [
        "",
        "## Held-out scenarios before and after (permutation test over scenario means, 95 % "
        "intervals)",
        "",
        "| seed | metric | before | after | change | 95 % interval |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        lines += _rows(result)
    lines += ["", "Primary metric by held-out scenario, before → after:", ""]
    for result in results:
        scenarios = _report_of(result).get("holdout_by_scenario", {})
        text = "; ".join(
            f"{name} {arms.get('before', 0) or 0:.3f} → {arms.get('after', 0) or 0:.3f}"
            for name, arms in scenarios.items()
        )
        lines.append(f"- seed {result['seed']}: {text or 'no version changed'}")
    lines += [
        "",
        "## Same seed, same campaign",
        "",
        f"Seed {args.seeds[0]} run again in a new process on a new database: "
        + (
            "identical experiments, verdicts, deltas and active version."
            if same
            else "**different** experiments, verdicts, deltas or versions."
        ),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

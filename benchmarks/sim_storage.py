"""Benchmark: database size after ten campaigns, with simulated memories kept or dropped.

Two fresh databases on the embedded server each run the same ten campaigns (offline
providers, default goal and bundled scenarios, `--budget` episodes for the experiments
plus a generated held-out check of `--holdout-scenarios` scenarios, seeds 0..9):

* before: the old behaviour, every episode's simulated users' memories kept
  (`keep_memories=True`) and nothing pruned;
* after: the new behaviour, memories dropped as each episode is recorded, then the
  retention step run with a period of 0 days (`selflearn db prune --older-than-days 0`),
  as the deep cycle does once the retention period (default 30 days) has passed.

Recorded: `pg_database_size` after every campaign (its growth per campaign is given with a
95 % t-interval over the ten campaigns), then at the end the size as it stands and after
`VACUUM FULL` (deleted rows leave reusable space that PostgreSQL keeps until then), memory
rows by namespace (real users, `sim:`), and rows and total size per table.

Usage: python benchmarks/sim_storage.py [--budget 20] [--campaigns 10] [--holdout-scenarios 6]
       [--out benchmarks/results/sim_storage.md] (the raw figures go next to it, as .json)
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _maas_bench import machine, scratch_components
from sqlalchemy import Engine, text

from selflearn.graph import CampaignOptions
from selflearn.store import prune_simulation_data

ROOT = Path(__file__).resolve().parents[1]
TABLES = (
    "memories",
    "episodes",
    "probe_results",
    "pipeline_runs",
    "telemetry_events",
    "checkpoints",
    "checkpoint_blobs",
    "checkpoint_writes",
    "micrograph_turns",
    "topic_transitions",
    "campaigns",
    "experiments",
    "learning_journal",
)
# Two-sided 95 % Student t quantiles by degrees of freedom (n - 1).
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 14: 2.145, 19: 2.093}  # fmt: skip
MB = 1024 * 1024


def db_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def table_stats(engine: Engine) -> dict[str, tuple[int, int]]:
    """Rows and total size (with indexes and TOAST) of each table that exists."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
                continue
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": table})
            out[table] = (int(rows), int(size.scalar_one()))
    return out


def memory_namespaces(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT CASE WHEN user_id LIKE 'sim:%' THEN 'sim:' ELSE 'real' END AS ns, "
                "count(*), count(DISTINCT user_id) FROM memories GROUP BY 1"
            )
        ).all()
    found = {ns: (int(n), int(users)) for ns, n, users in rows}
    return {
        "real memories": found.get("real", (0, 0))[0],
        "real users": found.get("real", (0, 0))[1],
        "sim: memories": found.get("sim:", (0, 0))[0],
        "sim: users": found.get("sim:", (0, 0))[1],
    }


def vacuum_full(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM FULL"))


def interval(values: list[float]) -> tuple[float, float]:
    """Return the mean and the half-width of its 95 % t-interval."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan
    t = _T95.get(len(values) - 1, 1.96)
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


def run_mode(
    name: str, *, keep: bool, prune: bool, budget: int, holdout: int, seeds: list[int]
) -> dict:
    """Run the campaigns on a fresh database and measure it."""
    result: dict[str, Any] = {"name": name, "sizes": [], "statuses": []}
    with scratch_components(f"simstore_{name}") as components:
        engine = components.database.engine
        result["empty"] = db_size(engine)
        started = time.perf_counter()
        for seed in seeds:
            runner = components.campaign_runner()
            options = CampaignOptions(
                budget=budget, seed=seed, holdout_scenarios=holdout, keep_memories=keep
            )
            outcome = runner.start(options)
            result["statuses"].append(outcome.status)
            result["sizes"].append(db_size(engine))
            print(f"{name}: seed {seed} {outcome.status}, {result['sizes'][-1] / MB:.1f} MB "
                  f"after {time.perf_counter() - started:.0f} s", flush=True)  # noqa: T201  # fmt: skip
        result["elapsed_s"] = time.perf_counter() - started
        result["tables"] = table_stats(engine)
        result["namespaces"] = memory_namespaces(engine)
        if prune:
            report = prune_simulation_data(engine, now=datetime.now(UTC), older_than=timedelta(0))
            result["pruned"] = report.to_json()
            result["after_prune"] = db_size(engine)
            result["tables_pruned"] = table_stats(engine)
            result["namespaces_pruned"] = memory_namespaces(engine)
        result["final"] = db_size(engine)
        vacuum_full(engine)
        result["vacuumed"] = db_size(engine)
    return result


def _mb(value: int | float) -> str:
    return f"{value / MB:.1f} MB"


def render(
    before: dict, after: dict, *, budget: int, holdout: int, seeds: list[int], command: str
) -> str:
    def growth(mode: dict) -> str:
        sizes = [mode["empty"], *mode["sizes"]]
        steps = [(b - a) / MB for a, b in zip(sizes, sizes[1:], strict=False)]
        mean, half = interval(steps)
        return f"{mean:.2f} ± {half:.2f} MB"

    lines = [
        "# Simulation data apart from real data: database size after ten campaigns",
        "",
        f"Command: `{command}` ({machine()}; offline providers, embedded PostgreSQL 16).",
        f"Each mode: a fresh database, {len(seeds)} campaigns (seeds {seeds[0]}–{seeds[-1]}, "
        f"default goal and bundled scenarios, budget {budget} episodes for the experiments plus "
        f"a generated held-out check of {holdout} scenarios, the rest at its defaults). Budget "
        "and held-out size were chosen for the run time (under 15 minutes on 2 cores), not "
        "for any figure below; nothing was tuned.",
        "",
        "* **before**: the old behaviour, every simulated user's memories kept "
        "(`keep_memories=True`), nothing pruned.",
        "* **after**: memories dropped as each episode is recorded (the default); sizes "
        "right after the campaigns (inside the retention period), then after the retention "
        "step with a period of 0 days (`selflearn db prune --older-than-days 0`, what the "
        "deep cycle does once `SELFLEARN_RETENTION_DAYS`, default 30, have passed).",
        "",
        "| measure | before | after (within retention) | after prune |",
        "|---|---|---|---|",
        f"| `pg_database_size`, empty schema | {_mb(before['empty'])} | {_mb(after['empty'])} | |",
        f"| `pg_database_size` after {len(seeds)} campaigns | {_mb(before['final'])} | "
        f"{_mb(after['sizes'][-1])} | {_mb(after['after_prune'])} |",
        f"| same, after `VACUUM FULL` | {_mb(before['vacuumed'])} | | {_mb(after['vacuumed'])} |",
        f"| growth per campaign, mean ± 95 % t-interval (n = {len(seeds)}) | "
        f"{growth(before)} | {growth(after)} | |",
    ]
    for key in ("real memories", "real users", "sim: memories", "sim: users"):
        lines.append(
            f"| {key} | {before['namespaces'][key]:,} | {after['namespaces'][key]:,} | "
            f"{after['namespaces_pruned'][key]:,} |"
        )
    lines += ["", "Rows and total size (indexes and TOAST included) per table:", "",
              "| table | before | after (within retention) | after prune |",
              "|---|---|---|---|"]  # fmt: skip
    for table in TABLES:
        if table not in before["tables"]:
            continue
        cells = []
        for stats in (before["tables"], after["tables"], after["tables_pruned"]):
            rows, size = stats.get(table, (0, 0))
            cells.append(f"{rows:,} rows, {_mb(size)}")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    pruned = after["pruned"]
    lines += [
        "",
        f"The prune step removed {pruned['episodes']:,} episodes, {pruned['probe_results']:,} "
        f"probe results, {pruned['pipeline_runs']:,} simulated turns with "
        f"{pruned['telemetry_events']:,} telemetry events, {pruned['checkpoints']:,} "
        f"checkpoint rows, {pruned['memories']:,} simulated memories and "
        f"{pruned['learner_rows']:,} simulated micrograph rows of "
        f"{len(pruned['campaigns'])} finished campaigns; each campaign's row, report, "
        "experiments and results stay.",
        "",
        f"Campaign statuses: before {sorted(set(before['statuses']))}, after "
        f"{sorted(set(after['statuses']))}. Run time: before {before['elapsed_s']:.0f} s, "
        f"after {after['elapsed_s']:.0f} s. Measured {datetime.now(UTC):%Y-%m-%d}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--holdout-scenarios", type=int, default=6)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/sim_storage.md")
    args = parser.parse_args()
    seeds = list(range(args.campaigns))
    common = {"budget": args.budget, "holdout": args.holdout_scenarios, "seeds": seeds}
    before = run_mode("before", keep=True, prune=False, **common)  # type: ignore[arg-type]
    after = run_mode("after", keep=False, prune=True, **common)  # type: ignore[arg-type]
    command = (
        f"python benchmarks/sim_storage.py --budget {args.budget} --campaigns {args.campaigns} "
        f"--holdout-scenarios {args.holdout_scenarios}"
    )
    # The raw measurements first: a rendering mistake must not cost the run.
    args.out.with_suffix(".json").write_text(json.dumps({"before": before, "after": after}))
    text_ = render(
        before, after, budget=args.budget, holdout=args.holdout_scenarios, seeds=seeds,
        command=command,
    )  # fmt: skip
    args.out.write_text(text_)
    print(text_)  # noqa: T201


if __name__ == "__main__":
    main()

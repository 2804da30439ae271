"""Benchmark: a campaign with every role on an OpenAI-compatible server that fails 30 % of calls.

The test server of the test suite (`tests/llm_server.py`) runs on 127.0.0.1 in this
process; every role's model points at it (its own model name, real langchain-openai
client, prices set so cost is recorded). For each seed, `selflearn campaign run --budget 40`
runs in a fresh SELFLEARN_HOME, first on a healthy server, then with a seeded 30 % of chat
requests failing in the eleven ways the server knows (429 with and without Retry-After,
500, 503, timeouts, dropped connections, truncated and invalid JSON, schema-breaking
structured output, unknown tool calls, empty content). A paused campaign is continued with
`selflearn campaign resume ID` until it completes. Then the database is checked: every
episode stored once, every turn of every episode recorded once, and the per-role calls,
errors, retries, tokens and cost.

Usage: python benchmarks/llm_faults.py [--seeds 0 1] [--rates 0 0.3] [--retries 5]
       [--out FILE.md] [--append]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _maas_bench import machine
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selflearn.settings import ROLES, Settings  # noqa: E402
from selflearn.store import open_database  # noqa: E402
from tests.llm_roles import role_handlers  # noqa: E402
from tests.llm_server import FAULTS, LLMServer  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "selflearn"
JUDGE_NOTE = (
    "The test server's judge model answers with the rule-based judge (`tests/llm_roles.py`), "
    "so agreement near 1 is expected here: this measures the plumbing (sampling, storage, "
    "kappa, disagreements) over HTTP with faults, not a real model's judgement."
)
SCENARIOS = ("moved-city", "marathon-diary", "namesakes", "unanswerable-gaps")


def _env(home: Path, base_url: str, retries: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELFLEARN_", "OPENAI_"))}
    env["SELFLEARN_HOME"] = str(home)
    for role in ROLES:
        prefix = f"SELFLEARN_{role.upper()}__"
        env |= {
            prefix + "PROVIDER": "openai",
            prefix + "BASE_URL": base_url,
            prefix + "API_KEY": "bench",
            prefix + "MODEL": f"{role}-model",
            prefix + "TIMEOUT_S": "0.4",
            prefix + "MAX_RETRIES": str(retries),
            prefix + "BACKOFF_S": "0.01",
            prefix + "BACKOFF_MAX_S": "0.05",
            prefix + "PROMPT_PRICE_PER_MTOK": "1.0",
            prefix + "COMPLETION_PRICE_PER_MTOK": "2.0",
        }
    return env


def _cli(args: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode not in (0, 6):
        raise RuntimeError(f"{args[:2]} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.returncode, json.loads(done.stdout)


def _counts(home: Path, campaign_id: str) -> dict[str, Any]:
    database = open_database(Settings(home=home))
    try:
        with database.engine.connect() as conn:
            episodes = conn.execute(
                text(
                    "SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids, "
                    "coalesce(sum(turns), 0) AS turns, "
                    "coalesce(sum((metrics->>'paraphrase_fallbacks')::int), 0) AS fallbacks "
                    "FROM episodes WHERE campaign_id = :c"
                ),
                {"c": campaign_id},
            ).one()
            runs = conn.execute(
                text(
                    "SELECT count(*) FROM pipeline_runs WHERE episode_id IN "
                    "(SELECT id FROM episodes WHERE campaign_id = :c)"
                ),
                {"c": campaign_id},
            ).scalar_one()
            typed = conn.execute(
                text(
                    "SELECT error_type, count(*) FROM telemetry_events "
                    "WHERE error_type IS NOT NULL GROUP BY error_type ORDER BY error_type"
                )
            ).all()
    finally:
        database.close()
    return {
        "episodes": episodes.n,
        "distinct_episodes": episodes.distinct_ids,
        "turns": episodes.turns,
        "recorded_turns": runs,
        "paraphrase_fallbacks": episodes.fallbacks,
        "typed_errors": {row[0]: row[1] for row in typed},
    }


def campaign(seed: int, rate: float, folder: Path, retries: int) -> dict[str, Any]:
    """Run one campaign on the server (failing `rate` of requests) until it completes."""
    with LLMServer(handlers=role_handlers(), slow_s=0.6) as server:
        if rate:
            server.fail_randomly(rate, kinds=FAULTS, seed=seed)
        with tempfile.TemporaryDirectory(prefix="sl-faults-", dir="/tmp") as raw:
            home = Path(raw)
            env = _env(home, server.base_url, retries)
            started = time.perf_counter()
            args = ["campaign", "run", "--budget", "40", "--seed", str(seed)]
            code, outcome = _cli([*args, "--holdout-seeds", "2", "--scenarios", str(folder),
                                  "--json"], env)  # fmt: skip
            pauses = []
            while outcome["status"] == "paused" and len(pauses) < 30:
                pauses.append(outcome["paused"]["code"])
                code, outcome = _cli(["campaign", "resume", outcome["campaign_id"], "--json"], env)
            elapsed = time.perf_counter() - started
            _, shown = _cli(["campaign", "show", outcome["campaign_id"], "--json"], env)
            counts = _counts(home, outcome["campaign_id"])
    report = shown.get("report") or {}
    return {
        "seed": seed,
        "rate": rate,
        "retries": retries,
        "status": outcome["status"],
        "pauses": pauses,
        "elapsed_s": elapsed,
        "requests": len(server.requests),
        "faults": dict(server.faults_served),
        "usage": outcome.get("usage", {}),
        "judge": [e.get("judge", "") for e in report.get("experiments", [])],
        "experiments": [(e["id"], e["verdict"]) for e in outcome["experiments"]],
        **counts,
    }


def _table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| seed | failing | retries | status | pauses | requests | faults served | episodes "
        "(distinct) | turns / recorded | fallbacks | time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['seed']} | {r['rate']:.0%} | {r['retries']} | {r['status']} | "
            f"{len(r['pauses'])} | "
            f"{r['requests']} | {sum(r['faults'].values())} | {r['episodes']} "
            f"({r['distinct_episodes']}) | {r['turns']} / {r['recorded_turns']} | "
            f"{r['paraphrase_fallbacks']} | {r['elapsed_s']:.0f} s |"
        )
    return lines


def _usage(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| seed | failing | role | calls | errors | retries | tokens | cost USD |"]
    lines.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        for role, u in sorted(r["usage"].items()):
            tokens = u["prompt_tokens"] + u["completion_tokens"]
            lines.append(
                f"| {r['seed']} | {r['rate']:.0%} | {role} | {u['calls']} | {u['errors']} | "
                f"{u['retries']} | {tokens} | {u['cost_usd']:.4f} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.0, 0.3])
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/llm_faults.md")
    parser.add_argument("--append", action="store_true", help="add a section to --out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sl-scen-", dir="/tmp") as raw:
        folder = Path(raw)
        for name in SCENARIOS:
            shutil.copy(ROOT / "scenarios" / f"{name}.yaml", folder / f"{name}.yaml")
        results = []
        for seed in args.seeds:
            for rate in args.rates:
                result = campaign(seed, rate, folder, args.retries)
                print(json.dumps({k: result[k] for k in ("seed", "rate", "status", "pauses",
                                  "episodes", "distinct_episodes", "elapsed_s")}))  # fmt: skip
                results.append(result)
    kinds = sorted({k for r in results for k in r["faults"]})
    command = "python benchmarks/llm_faults.py " + " ".join(sys.argv[1:])
    lines = [
        "# Campaigns with every role on a failing OpenAI-compatible server"
        if not args.append
        else f"## With {args.retries} retries per call",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with `{command.strip()}`: "
        "budget 40, four bundled scenarios (three train, one held out, 2 held-out seeds), "
        f"every role on the loopback test server with retries {args.retries}, backoff "
        "0.01-0.05 s, client timeout 0.4 s. A paused campaign is resumed with "
        "`selflearn campaign resume ID` until it completes.",
        "",
        *_table(results),
        "",
        "Faults served by kind (all runs): "
        + ", ".join(f"{k} {sum(r['faults'].get(k, 0) for r in results)}" for k in kinds)
        + ".",
        "",
        "Typed errors on record after retries ran out (telemetry `error_type`): "
        + "; ".join(
            f"seed {r['seed']} at {r['rate']:.0%}: "
            + (", ".join(f"{k} {v}" for k, v in r["typed_errors"].items()) or "none")
            for r in results
        )
        + ".",
        "",
        "### Calls, errors, retries, tokens and cost per role",
        "",
        *_usage(results),
        "",
        "### Judge agreement per experiment",
        "",
        JUDGE_NOTE,
        "",
        *[
            f"- seed {r['seed']} at {r['rate']:.0%}, {e}: {j}"
            for r in results
            for (e, _), j in zip(r["experiments"], r["judge"], strict=False)
        ],
        "",
    ]
    text = "\n".join(lines)
    if args.append and args.out.exists():
        text = args.out.read_text(encoding="utf-8").rstrip() + "\n\n" + text
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

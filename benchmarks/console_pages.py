"""Benchmark: console pages and telemetry queries at scale, with their query plans.

Seeds a fresh database with 1,000 campaigns (one with experiments and looks), a chain of
200 parameter versions, 50 proposals and 100,000 telemetry events (25,000 turns x 4
stages over 14 days, some in the last hour), then renders every console page through the
app as a logged-in admin and times it; prints EXPLAIN (ANALYZE) of the dashboard queries.
Writes benchmarks/results/console.md.

Usage: python benchmarks/console_pages.py [--runs 40] [--home /tmp/sl-console-bench]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/campaigns", "/campaigns/bench-0000", "/approvals", "/parameters", "/telemetry",
         "/chat"]  # fmt: skip


def seed(engine, now: datetime) -> None:
    """Fill the database; everything in SQL, so seeding takes seconds."""
    with engine.begin() as conn:
        conn.execute(
            text("""
            INSERT INTO campaigns (id, status, seed, config, started_at, finished_at)
            SELECT 'bench-' || lpad(i::text, 4, '0'),
                   (ARRAY['completed','completed','completed','failed','interrupted'])[1 + i % 5],
                   i, jsonb_build_object('goal_text', 'cut hallucinations below 5 %', 'budget', 40,
                   'seed', i), :now - (i || ' hours')::interval, :now - (i || ' hours')::interval
            FROM generate_series(0, 999) AS i"""),
            {"now": now},
        )
        conn.execute(
            text("""
            INSERT INTO experiment_parameters (id, params, status, parent_id, reason, initiated_by,
                                               created_at)
            SELECT md5('v' || i)::uuid, jsonb_build_object('retrieval.top_k', 3 + i % 5),
                   CASE WHEN i = 199 THEN 'active' ELSE 'retired' END,
                   CASE WHEN i = 0 THEN NULL ELSE md5('v' || (i - 1))::uuid END,
                   'step ' || i, 'tuner', :now - ((200 - i) || ' hours')::interval
            FROM generate_series(0, 199) AS i"""),
            {"now": now},
        )
        conn.execute(
            text("""
            INSERT INTO experiments (id, campaign_id, hypothesis, design, status, verdict, seed)
            SELECT 'bench-0000/e0' || i, 'bench-0000', 'top_k ' || i, '{"variants": []}',
                   'finished', (ARRAY['winner','loser','inconclusive'])[1 + i % 3], 0
            FROM generate_series(1, 4) AS i""")
        )
        conn.execute(
            text("""
            INSERT INTO experiment_results (experiment_id, variant, metric, look, n, baseline_mean,
                variant_mean, effect, ci_low, ci_high, p_value, verdict, details)
            SELECT 'bench-0000/e0' || e, 'variant', m, look, 20 * look, 0.5, 0.5 + 0.01 * e,
                   0.01 * e, 0.01 * e - 0.05 / look, 0.01 * e + 0.05 / look, 0.2 / look,
                   'inconclusive', '{}'
            FROM generate_series(1, 4) e, generate_series(1, 4) look,
                 unnest(ARRAY['recall','precision','hallucination_rate']) m""")
        )
        conn.execute(
            text("""
            INSERT INTO proposals (kind, payload, reason, status, campaign_id, created_at)
            SELECT 'update_params', jsonb_build_object('changes', jsonb_build_array(
                   jsonb_build_object('param', 'retrieval.top_k', 'from', 3, 'to', 4))),
                   'top_k 3 -> 4', CASE WHEN i < 5 THEN 'pending' ELSE 'rejected' END,
                   'bench-' || lpad(i::text, 4, '0'), :now - (i || ' hours')::interval
            FROM generate_series(0, 49) AS i"""),
            {"now": now},
        )
        # 25,000 turns over 14 days: a turn every ~48 s, the newest in the last hour.
        conn.execute(
            text("""
            INSERT INTO pipeline_runs (id, user_id, parameter_version_id, cycle_type, query,
                                       status, created_at)
            SELECT md5('r' || i)::uuid, 'u' || (i % 500), md5('v' || (199 - i % 3))::uuid,
                   'online', 'q', 'ok', :now - (i * 48 || ' seconds')::interval
            FROM generate_series(0, 24999) AS i"""),
            {"now": now},
        )
        conn.execute(
            text("""
            INSERT INTO telemetry_events (id, pipeline_id, cycle_type, created_at, stage,
                latency_ms, hit_rate, prompt_tokens, completion_tokens, total_cost_usd)
            SELECT gen_random_uuid(), md5('r' || i)::uuid, 'online',
                   :now - (i * 48 || ' seconds')::interval, s,
                   5 + (i * 7 % 97) * (CASE s WHEN 'e2e' THEN 3 ELSE 1 END),
                   CASE WHEN s IN ('assembler', 'e2e') THEN (i % 10) / 10.0 END,
                   CASE WHEN s IN ('responder', 'e2e') THEN 300 + i % 50 END,
                   CASE WHEN s IN ('responder', 'e2e') THEN 40 + i % 20 END,
                   CASE WHEN s IN ('responder', 'e2e') THEN 0.0004 END
            FROM generate_series(0, 24999) AS i,
                 unnest(ARRAY['analyzer','assembler','responder','e2e']) AS s"""),
            {"now": now},
        )
    # What autovacuum does to a live table: the visibility map lets index-only scans skip
    # the heap.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def explain(engine, now: datetime) -> dict[str, str]:
    """Return the EXPLAIN ANALYZE plan of each dashboard query."""
    from selflearn.store.models import STAGES
    from selflearn.web._telemetry_views import (
        COST_BY_VERSION_SQL,
        COST_SQL,
        HIT_RATE_SQL,
        LATENCY_SQL,
    )

    queries = {
        "latency p50/p95 per stage, last hour": (
            LATENCY_SQL, {"stages": list(STAGES), "since": now - timedelta(hours=1)}),
        "hit rate per day, 14 days": (HIT_RATE_SQL, {"since": now - timedelta(days=14)}),
        "tokens and cost per day, 14 days": (COST_SQL, {"since": now - timedelta(days=14)}),
        "tokens and cost per version, 14 days": (
            COST_BY_VERSION_SQL, {"since": now - timedelta(days=14)}),
    }  # fmt: skip
    plans = {}
    with engine.connect() as conn:
        for name, (query, params) in queries.items():
            rows = conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + query.text), params)
            plans[name] = "\n".join(row[0] for row in rows)
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--home", default=f"/tmp/sl-console-{os.getpid()}")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "console.md"))
    args = parser.parse_args()
    os.environ["SELFLEARN_HOME"] = args.home
    os.environ.pop("DATABASE_URL", None)

    from selflearn.bootstrap import open_components
    from selflearn.store import session_scope
    from selflearn.web import create_app, create_token

    components = open_components()
    engine = components.database.engine
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed(engine, now)
    seeded = time.perf_counter() - started
    with session_scope(engine) as session:
        token = create_token("admin", session=session, name="bench").token
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    with TestClient(create_app(components)) as client:
        form = client.get("/login").text
        nonce = re.search(r'name="nonce" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"token": token, "nonce": nonce})
        for page in PAGES:  # warm up: templates compiled, connections open
            assert client.get(page).status_code == 200, page
        for _ in range(args.runs):
            for page in PAGES:
                begin = time.perf_counter()
                response = client.get(page)
                timings[page].append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, page
    plans = explain(engine, now)
    counts = {}
    with engine.connect() as conn:
        for table in ("campaigns", "telemetry_events", "pipeline_runs", "experiment_parameters"):
            counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    components.close()

    lines = [
        "# Console pages at scale",
        "",
        f"Measured {now:%Y-%m-%d} on {os.uname().machine}, {os.cpu_count()} cores, with "
        f"`python benchmarks/console_pages.py --runs {args.runs}` (embedded PostgreSQL, "
        "offline defaults, pages rendered through the app as a logged-in admin, "
        "one request at a time).",
        "",
        "Data: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items())
        + f" (seeded in {seeded:.1f} s).",
        "",
        "Target: every page ≤ 300 ms p95.",
        "",
        "| page | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
    ]
    for page, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        lines.append(
            f"| `{page}` | {statistics.median(values):.1f} | {p95:.1f} | {max(values):.1f} |"
        )
    lines += ["", "## Query plans of the telemetry dashboards", ""]
    for name, plan in plans.items():
        lines += [f"### {name}", "", "```", plan, "```", ""]
    report = "\n".join(lines)
    Path(args.out).write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()

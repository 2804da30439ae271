"""What the micrograph adds to a turn with 100,000 transitions in the table.

    .venv/bin/python benchmarks/micrograph_latency.py [--rows 100000] [--turns 400]

The table is filled with `--rows` transitions spread over 500 users (200 each, random
unit vectors; the statements scan a user's rows exactly, so their layout does not matter),
ANALYZEd, and then simulated users of the engagement world talk with the micrograph on:
every step is timed (embedding the message included). Users: one who owns 200 of the rows
(the typical case) and one who owns 5,000 (a heavy user). Writes
benchmarks/results/micrograph_latency.md.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _maas_bench import machine, percentile, scratch_components
from sqlalchemy import text

from selflearn.learners.micrograph import Micrograph, MicrographConfig
from selflearn.learners.micrograph._queries import CANDIDATES, vector_literal
from selflearn.simulator.engagement import make_user
from selflearn.store import session_scope

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
FILL = """
INSERT INTO topic_transitions (id, user_id, source_embedding, target_embedding,
    transition_type, agent_intent, success_weight, attempts, last_used_at)
SELECT gen_random_uuid(), :prefix || (g % :users), v.s, v.t, 'semantic', 'casual_chat',
       random(), 1, now()
FROM generate_series(1, :rows) AS g,
LATERAL (SELECT CAST(array_agg(random() - 0.5) AS vector(384)) AS s,
                CAST(array_agg(random() - 0.5) AS vector(384)) AS t
         FROM generate_series(1, 384) WHERE g > 0) AS v  -- g: a fresh pair per row
"""


def _fill(engine, prefix: str, users: int, rows: int) -> float:
    started = time.perf_counter()
    with session_scope(engine) as session:
        session.execute(text(FILL), {"prefix": prefix, "users": users, "rows": rows})
    return time.perf_counter() - started


def _talk(components, user_id: str, seed: int, turns: int) -> dict[str, float]:
    world = make_user(seed, 0)
    components.student().add_memories(
        user_id, [m.text for m in world.memories], now=START, merge_duplicates=False
    )
    micrograph = Micrograph(components.database.engine, embedder=components.embedder)
    config = MicrographConfig(enabled=True)
    all_steps, with_query, queries = [], [], 0
    message = world.opening()
    for turn in range(turns):
        step = micrograph.step(user_id, message, config=config, now=START + timedelta(minutes=turn))
        all_steps.append(step.latency_ms)
        if step.similarity_queries:
            with_query.append(step.latency_ms)
        queries = max(queries, step.similarity_queries)
        message, _ = world.follow(step.chosen.text if step.chosen else None)
    return {
        "p50": percentile(all_steps, 0.5),
        "p95": percentile(all_steps, 0.95),
        "p95_query": percentile(with_query, 0.95),
        "turns_with_query": len(with_query),
        "max_queries": queries,
    }


def _explain(engine, user_id: str) -> str:
    import numpy as np

    vector = np.random.default_rng(0).normal(size=384)
    vector /= np.linalg.norm(vector)
    params = {"cur": vector_literal(vector), "u": user_id, "intent": "casual_chat", "pool": 16,
              "recent": 2000, "match": 0.15, "learn": True}  # fmt: skip
    with session_scope(engine) as session:
        plan = session.execute(text("EXPLAIN ANALYZE " + CANDIDATES.text), params)
        return "\n".join(row[0] for row in plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/micrograph_latency.md")
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with scratch_components("bench_micrograph_latency") as components:
        engine = components.database.engine
        heavy = 5_000
        filled = _fill(engine, "load-", 500, args.rows - heavy)
        filled += _fill(engine, "heavy-", 1, heavy)
        with session_scope(engine) as session:
            session.execute(text("ANALYZE topic_transitions"))
            total = session.scalar(text("SELECT count(*) FROM topic_transitions"))
        typical = _talk(components, "load-7", 1, args.turns)
        heavy_user = _talk(components, "heavy-0", 2, args.turns)
        plan = _explain(engine, "heavy-0")
    load_after = os.getloadavg()[0]
    lines = [
        "# Micrograph latency with a full transitions table",
        "",
        f"`.venv/bin/python benchmarks/micrograph_latency.py --rows {args.rows} --turns "
        f"{args.turns}` on {machine()}; {total:,} rows in `topic_transitions` "
        f"(filled in {filled:.0f} s), {args.turns} user messages per user, micrograph on. "
        f"Load average {load_before:.1f} before, {load_after:.1f} after (2 cores, shared).",
        "",
        "| user | own rows | step p50 | step p95 | p95 of steps with a query | "
        "steps with a query | similarity statements per step (max) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, own, row in (
        ("typical", args.rows // 500, typical),
        ("heavy", heavy, heavy_user),
    ):
        lines.append(
            f"| {label} | {own:,} | {row['p50']:.2f} ms | {row['p95']:.2f} ms | "
            f"{row['p95_query']:.2f} ms | {row['turns_with_query']:.0f} | "
            f"{row['max_queries']:.0f} |"
        )
    lines += [
        "",
        "A step is everything the micrograph adds to a turn: embedding the message (the",
        "Student embeds it again for retrieval), the tracker, and at most one statement.",
        "",
        "Plan of the candidate statement for the heavy user (EXPLAIN ANALYZE):",
        "",
        "```",
        plan,
        "```",
        "",
    ]
    args.out.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

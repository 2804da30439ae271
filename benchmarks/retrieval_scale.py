"""Retrieval latency, HNSW recall and ingestion throughput of the memory service at scale.

    .venv/bin/python benchmarks/retrieval_scale.py --sizes 10000 100000 [1000000]

Data: structured, embedding-like synthetic memories, not Gaussian noise. 400 topics each own
40 made-up topic words; a memory is 8-20 words, two thirds from one of its user's 3 topics
and the rest from a shared vocabulary of 3,000 words, embedded by the offline
HashingEmbedder, so vectors cluster by topic the way real embeddings cluster by subject.
Users have log-normal sizes (a few dozen to several thousand memories), so per-user
filters run at very different selectivities.

Per size: bulk load (COPY, then one HNSW build with maintenance_work_mem=512MB), online
ingestion through `MemoryService.add_memories` with the index in place, hybrid search
latency through `MemoryService.search` (default parameters, top_k 10, a user drawn in
proportion to size), HNSW recall@10 against exact search over the whole table at
ef_search 40/100/200, and the per-user HNSW path (forced with a low exact_scan_limit)
against the exact per-user scan.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from _maas_bench import machine, percentile, scratch_components
from sqlalchemy import text

from selflearn.maas import MemoryService, RetrievalConfig
from selflearn.maas._retrieval import vector_literal
from selflearn.providers import HashingEmbedder

SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


class Corpus:
    """Deterministic topic-structured texts for many users."""

    def __init__(self, seed: int = 7, topics: int = 400) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.shared = [_word(rng, rng.choice((2, 3))) for _ in range(3000)]
        self.topics = [[_word(rng, 3) + _word(rng, 1) for _ in range(40)] for _ in range(topics)]

    def text(self, topic: int) -> str:
        rng = self.rng
        length = rng.randint(8, 20)
        words = [
            rng.choice(self.topics[topic]) if rng.random() < 0.66 else rng.choice(self.shared)
            for _ in range(length)
        ]
        return " ".join(words).capitalize() + "."

    def query(self, topic: int) -> str:
        return " ".join(self.rng.sample(self.topics[topic], 4))

    def users(self, total: int) -> list[tuple[str, int, list[int]]]:
        sizes: list[int] = []
        while sum(sizes) < total:
            sizes.append(max(20, min(total // 20, int(self.rng.lognormvariate(5.5, 1.1)))))
        sizes[-1] -= sum(sizes) - total
        if sizes[-1] < 1:
            sizes.pop()
        return [
            (f"u{i:05d}", size, self.rng.sample(range(len(self.topics)), 3))
            for i, size in enumerate(sizes)
        ]


def bulk_load(
    database, corpus: Corpus, users, embedder: HashingEmbedder, work_mem: str
) -> dict[str, float]:
    """COPY every memory in, then build the HNSW index; return the timings."""
    timings = {"embed_s": 0.0, "copy_s": 0.0}
    with database.engine.begin() as conn:
        conn.execute(text("DROP INDEX IF EXISTS ix_memories_embedding_hnsw"))
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for user_id, size, topics in users:
            texts = [corpus.text(corpus.rng.choice(topics)) for _ in range(size)]
            started = time.perf_counter()
            vectors = embedder.embed(texts)
            timings["embed_s"] += time.perf_counter() - started
            started = time.perf_counter()
            buffer = io.StringIO()
            for i, (body, vector) in enumerate(zip(texts, vectors, strict=True)):
                when = EPOCH + timedelta(hours=i)
                buffer.write(
                    f"{uuid.uuid4()}\t{user_id}\t{body}\t{{}}\t{{}}\t{{}}\t"
                    f"{when.isoformat()}\t0\t0\t0\tf\t{vector_literal(vector)}\n"
                )
            with cursor.copy(
                "COPY memories (id, user_id, text, source_turn_ids, provenance, tags, "
                "occurred_at, times_retrieved, times_used, times_helpful, flagged, embedding) "
                "FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            timings["copy_s"] += time.perf_counter() - started
        raw.commit()
    finally:
        raw.close()
    started = time.perf_counter()
    with database.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text(f"SET maintenance_work_mem = '{work_mem}'"))
        conn.execute(
            text(
                "CREATE INDEX ix_memories_embedding_hnsw ON memories USING hnsw "
                "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
            )
        )
        conn.execute(text("VACUUM ANALYZE memories"))
    timings["index_build_s"] = time.perf_counter() - started
    timings["maintenance_work_mem"] = work_mem  # type: ignore[assignment]
    return timings


def online_ingestion(service: MemoryService, corpus: Corpus, rows: int = 2000) -> float:
    """Return memories per second stored through the service with the index in place."""
    started = time.perf_counter()
    for batch in range(rows // 100):
        items = [corpus.text(batch % len(corpus.topics)) for _ in range(100)]
        service.add_memories(f"ingest{batch % 10}", items, merge_duplicates=False, now=EPOCH)
    return rows / (time.perf_counter() - started)


def global_recall(database, corpus: Corpus, embedder, queries: int = 100) -> list[dict]:
    """HNSW recall@10 over the whole table against the exact scan, per ef_search."""
    vectors = embedder.embed([corpus.query(t % len(corpus.topics)) for t in range(queries)])
    results = []
    with database.engine.connect() as conn:
        exact = []
        started = time.perf_counter()
        for v in vectors:
            exact.append(
                {
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT id FROM memories ORDER BY (embedding <=> CAST(:q AS vector))"
                            " + 0 LIMIT 10"
                        ),
                        {"q": vector_literal(v)},
                    )
                }
            )
        exact_ms = (time.perf_counter() - started) * 1000 / queries
        for ef in (40, 100, 200):
            conn.execute(text(f"SET hnsw.ef_search = {ef}"))
            hits, times = 0, []
            for v, truth in zip(vectors, exact, strict=True):
                started = time.perf_counter()
                got = {
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT id FROM memories ORDER BY embedding <=> CAST(:q AS vector) "
                            "LIMIT 10"
                        ),
                        {"q": vector_literal(v)},
                    )
                }
                times.append((time.perf_counter() - started) * 1000)
                hits += len(got & truth)
            results.append(
                {
                    "ef_search": ef,
                    "recall_at_10": hits / (10 * queries),
                    "hnsw_ms_p50": percentile(times, 0.5),
                    "exact_ms_mean": exact_ms,
                }
            )
        conn.rollback()
    return results


def search_latency(service: MemoryService, corpus: Corpus, users, queries: int) -> dict:
    """Hybrid search latency through the service, users drawn in proportion to their size."""
    weights = [size for _, size, _ in users]
    times, strategies, counts = [], {}, []
    for _ in range(queries):
        user_id, size, topics = corpus.rng.choices(users, weights=weights)[0]
        result = service.search(user_id, corpus.query(corpus.rng.choice(topics)), params={
            "retrieval.top_k": 10})  # fmt: skip
        times.append(result.latency_ms)
        kind = result.strategy.split("(")[0] + ("+exact" if "+exact" in result.strategy else "")
        strategies[kind] = strategies.get(kind, 0) + 1
        counts.append(len(result.items) == min(10, size))
    return {
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "strategies": strategies,
        "full_results_share": sum(counts) / len(counts),
    }


def per_user_hnsw(components, corpus: Corpus, users, queries: int = 60) -> dict:
    """Dense top-10 of the biggest users: HNSW path (forced) against the exact per-user scan."""
    big = sorted(users, key=lambda u: -u[1])[:5]
    dense = {"retrieval.top_k": 10, "retrieval.relevance_weight": 1.0}
    hnsw = components.student(retrieval=RetrievalConfig(exact_scan_limit=0))
    exact = components.student()
    hits, times, fallbacks = 0, [], 0
    for i in range(queries):
        user_id, _, topics = big[i % len(big)]
        query = corpus.query(topics[i % 3])
        got = hnsw.search(user_id, query, params=dense)
        truth = exact.search(user_id, query, params=dense)
        times.append(got.latency_ms)
        fallbacks += "+exact" in got.strategy
        hits += len({m.id for m in got.items} & {m.id for m in truth.items})
    return {
        "users": [(u, s) for u, s, _ in big],
        "recall_at_10": hits / (10 * queries),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "exact_fallbacks": fallbacks,
        "queries": queries,
    }


def run(size: int, queries: int, work_mem: str) -> dict:
    corpus = Corpus()
    embedder = HashingEmbedder(384)
    users = corpus.users(size)
    with scratch_components(f"bench_scale_{size}") as opened:
        components = replace(opened, embedder=embedder)
        database = components.database
        load = bulk_load(database, corpus, users, embedder, work_mem)
        service = components.student(archive_turns=False)
        result = {
            "memories": size,
            "users": len(users),
            "largest_user": max(s for _, s, _ in users),
            "smallest_user": min(s for _, s, _ in users),
            "load": load,
            "search": search_latency(service, corpus, users, queries),
            "global_hnsw": global_recall(database, corpus, embedder),
            "per_user_hnsw": per_user_hnsw(components, corpus, users),
            "online_ingestion_per_s": online_ingestion(service, corpus),
        }
    return result


def write_markdown(results: list[dict], out: Path) -> None:
    lines = [
        "# Retrieval at scale",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}, embedded PostgreSQL 16 + "
        "pgvector 0.6. Commands: "
        + "; ".join(sorted({f"`{r['command']}`" for r in results}))
        + ". Data and method: see the docstring of benchmarks/retrieval_scale.py. "
        + "Sizes not listed were not run.",
        "",
        "## Hybrid search through `MemoryService.search` (default parameters, top_k 10)",
        "",
        "| memories | users (sizes) | p50 ms | p95 ms | dense path used | full result sets |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r["search"]
        lines.append(
            f"| {r['memories']:,} | {r['users']} ({r['smallest_user']}–{r['largest_user']}) | "
            f"{s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['strategies']} | "
            f"{s['full_results_share']:.0%} |"
        )
    lines += [
        "",
        "## HNSW recall@10 against exact search (whole table, no user filter)",
        "",
        "| memories | ef_search | recall@10 | HNSW p50 ms | exact scan ms |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        for g in r["global_hnsw"]:
            lines.append(
                f"| {r['memories']:,} | {g['ef_search']} | {g['recall_at_10']:.3f} | "
                f"{g['hnsw_ms_p50']:.1f} | {g['exact_ms_mean']:.1f} |"
            )
    lines += [
        "",
        "## Per-user HNSW path (forced) against the exact per-user scan, 5 largest users",
        "",
        "| memories | users | recall@10 | p50 ms | p95 ms | fell back to exact |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r["per_user_hnsw"]
        lines.append(
            f"| {r['memories']:,} | {', '.join(f'{u} ({s})' for u, s in p['users'])} | "
            f"{p['recall_at_10']:.3f} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | "
            f"{p['exact_fallbacks']}/{p['queries']} |"
        )
    lines += [
        "",
        "## Ingestion",
        "",
        "| memories | embed (offline) | COPY | HNSW build | online add_memories |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        load = r["load"]
        lines.append(
            f"| {r['memories']:,} | {r['memories'] / load['embed_s']:,.0f}/s | "
            f"{r['memories'] / load['copy_s']:,.0f}/s | {load['index_build_s']:.1f} s "
            f"({load.get('maintenance_work_mem', '512MB')}) | "
            f"{r['online_ingestion_per_s']:,.0f}/s (batches of 100, index in place) |"
        )
    lines += ["", f"Raw figures: {out.with_suffix('.json').name}.", ""]
    out.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/retrieval.md"))
    parser.add_argument("--maintenance-work-mem", default="512MB")
    args = parser.parse_args()
    raw = args.out.with_suffix(".json")
    stored = {r["memories"]: r for r in json.loads(raw.read_text())} if raw.exists() else {}
    command = (
        "benchmarks/retrieval_scale.py --sizes " + " ".join(map(str, args.sizes))
        + f" --queries {args.queries} --maintenance-work-mem {args.maintenance_work_mem}"
    )  # fmt: skip
    for size in args.sizes:
        started = time.perf_counter()
        result = run(size, args.queries, args.maintenance_work_mem)
        result["command"] = command
        result["total_s"] = round(time.perf_counter() - started, 1)
        stored[size] = result
        print(f"{size}: done in {result['total_s']:.0f} s")
        print(json.dumps(result, indent=1, default=str))
        # Keep every size measured so far, also when a later, bigger size is interrupted.
        results = [stored[k] for k in sorted(stored)]
        raw.write_text(json.dumps(results, indent=1, default=str))
        write_markdown(results, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

"""LoCoMo evidence recall of the memory service, offline (hashing embedder, no LLM).

    .venv/bin/python benchmarks/locomo_recall.py [--locomo DIR] [--out FILE.md]

Runs `selflearn.locomo.evaluate_locomo` on every conversation file with the default
impact-factor values and with the proposed defaults, on a scratch database, and writes the
figures (overall and per category recall@5/10/25, hit rate, latency, context tokens).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components

from selflearn.locomo import LocomoReport, evaluate_locomo

PROPOSED = {
    "retrieval.relevance_weight": 0.2,
    "retrieval.recency_weight": 0.0,
    "retrieval.keyword_count": 10,
}
CATEGORIES = {"1": "multi-hop", "2": "temporal", "3": "open-domain", "4": "single-hop",
              "5": "adversarial"}  # fmt: skip


def _table(report: LocomoReport) -> list[str]:
    r = report.recall
    lines = [
        "| questions | @5 | @10 | @25 | hit@5 | p50 ms | p95 ms | context tokens (mean, top_k) |",
        "|---|---|---|---|---|---|---|---|",
        f"| all {report.questions} | {r['5']:.3f} | {r['10']:.3f} | {r['25']:.3f} | "
        f"{report.hit_rate['5']:.3f} | {report.latency_ms['p50']:.1f} | "
        f"{report.latency_ms['p95']:.1f} | {report.context_tokens['mean']:.0f} |",
    ]
    for category, recall in report.by_category.items():
        count = report.questions_by_category[category]
        lines.append(
            f"| {category} {CATEGORIES[category]} ({count}) | {recall['5']:.3f} | "
            f"{recall['10']:.3f} | {recall['25']:.3f} | | | | |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locomo", type=Path, default=Path("/work/shared/data/locomo"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/locomo.md"))
    args = parser.parse_args()
    files = sorted(args.locomo.glob("*.json"))
    with scratch_components("bench_locomo") as components:
        service = components.student(archive_turns=False)
        default = evaluate_locomo(files, service=service, progress=print)
        proposed = evaluate_locomo(files, params=PROPOSED, service=service, progress=print)
    lines = [
        "# LoCoMo evidence recall (offline: hashing embedder, no LLM)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}, embedded PostgreSQL 16 + "
        "pgvector 0.6, with `.venv/bin/python benchmarks/locomo_recall.py` "
        "(the same as `selflearn eval locomo /work/shared/data/locomo/*.json --json`"
        " for the default parameters).",
        "",
        "Method: each conversation is one user's memory space; each dialog turn one memory "
        "(text, `[shares a photo: caption]`, the last 250 characters of the turn it replies "
        "to, speaker, session date, `dia_id` as source turn id); every question with evidence "
        "is asked the day after the last session. Recall@k = evidence ids among the sources of "
        "the top k memories / evidence ids, averaged over questions. Evidence ids that name no "
        f"turn are dropped by the parser ({', '.join(default.evidence_ids_dropped) or 'none'}).",
        "",
        "## Default impact factors (SPEC §4 defaults)",
        "",
        *_table(default),
        "",
        f"## Proposed defaults `{json.dumps(PROPOSED)}`",
        "",
        *_table(proposed),
        "",
        "Per conversation (proposed defaults): "
        + "; ".join(
            f"{c.sample_id} {c.turns} turns, {c.questions} q, @5 {c.recall['5']:.3f}, "
            f"ingest {c.ingest_seconds:.1f} s, queries {c.query_seconds:.1f} s"
            for c in proposed.conversations
        ),
        "",
        "Reference points: plain BM25 over turns ≈ 0.53 @5 / 0.60 @10 on these five; DRAGON "
        "0.567 / 0.662 / 0.767 (@5/@10/@25, all ten conversations, paper Table 3). The aim of "
        "0.70 / 0.80 is not reached; see the report for what moved the numbers.",
        "",
        "Split: every figure here is in-sample. The retrieval constants (ranking bonuses, "
        "reply context) were chosen on these five conversations by cross-validation, and the "
        "proposed defaults were found on them too; the figure to expect on other conversations "
        "is the out-of-sample one in `locomo_cv.md` (recall@5 0.660, @10 0.736).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

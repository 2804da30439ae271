"""Retrieval constants of the Student chosen by cross-validation over LoCoMo conversations.

    .venv/bin/python benchmarks/locomo_cv.py [--locomo DIR] [--train-size 3] [--out FILE.md]

The constants that are not impact factors (the three ranking bonuses of
`selflearn.maas.RetrievalConfig` and the reply context a LoCoMo turn carries) are chosen
from a grid fixed in this file before any run: every bonus in {0, 0.1, 0.2}, reply context
in {0, 250} characters (54 candidates). The selection rule is fixed too: the candidate
with the highest question-weighted mean recall@5 on the fitting conversations (ties: @10,
then grid order). Every way of fitting on `--train-size` conversations and measuring on
the others is run (10 splits for five conversations, 3 / 2); the out-of-sample figure is
the mean over splits of the held-out recall, and each conversation's out-of-sample recall is
its mean over the splits that held it out. The same rule applied to every conversation gives
the constants the Student ships with (`RetrievalConfig`'s defaults, `REPLY_CONTEXT_CHARS`).

Impact factors (`retrieval.*` in the parameter space) stay at their SPEC defaults: the
Teacher tunes them per deployment (`selflearn tune locomo`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, scratch_components, t_interval

from selflearn.locomo import LocomoGoldenSet
from selflearn.maas import RetrievalConfig

BONUSES = (0.0, 0.1, 0.2)
REPLY_CONTEXTS = (0, 250)
KS = (5, 10)


@dataclass(frozen=True)
class Candidate:
    """One point of the grid."""

    time_match_bonus: float
    speaker_match_bonus: float
    when_answer_bonus: float
    reply_context_chars: int

    def label(self) -> str:
        return (
            f"time {self.time_match_bonus:g}, speaker {self.speaker_match_bonus:g}, "
            f"when {self.when_answer_bonus:g}, reply {self.reply_context_chars}"
        )


GRID = [
    Candidate(t, s, w, r)
    for r in REPLY_CONTEXTS
    for t, s, w in itertools.product(BONUSES, BONUSES, BONUSES)
]

# recall sums and question counts per (candidate, conversation, k)
Sums = dict[tuple[int, str], dict[int, float]]


def measure(files: list[Path]) -> tuple[Sums, dict[str, int]]:
    """Score every candidate on every conversation; return recall sums and question counts."""
    sums: Sums = {}
    counts: dict[str, int] = {}
    with scratch_components("bench_locomo_cv") as components:
        service = components.student(archive_turns=False)
        for reply in REPLY_CONTEXTS:
            with LocomoGoldenSet(
                files, service=service, ks=KS, reply_context_chars=reply
            ) as golden:
                samples = [q.sample_id for q in golden.questions]
                counts = {s: samples.count(s) for s in set(samples)}
                for index, candidate in enumerate(GRID):
                    if candidate.reply_context_chars != reply:
                        continue
                    started = time.perf_counter()
                    service.retrieval = RetrievalConfig(
                        time_match_bonus=candidate.time_match_bonus,
                        speaker_match_bonus=candidate.speaker_match_bonus,
                        when_answer_bonus=candidate.when_answer_bonus,
                    )
                    recall = golden.evaluate({})
                    for k in KS:
                        for sample, value in zip(samples, recall.per_question[k], strict=True):
                            cell = sums.setdefault((index, sample), {kk: 0.0 for kk in KS})
                            cell[k] += value
                    print(
                        f"[{index + 1}/{len(GRID)}] {candidate.label()}: "
                        f"@5 {recall.mean(5):.4f} @10 {recall.mean(10):.4f} "
                        f"({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
    return sums, counts


def pooled(sums: Sums, counts: dict[str, int], index: int, samples: list[str], k: int) -> float:
    """Question-weighted mean recall@k of one candidate over `samples`."""
    return sum(sums[(index, s)][k] for s in samples) / sum(counts[s] for s in samples)


def select(sums: Sums, counts: dict[str, int], samples: list[str]) -> int:
    """The fixed rule: best @5, then @10, then the first in grid order."""
    return max(
        range(len(GRID)),
        key=lambda i: (
            round(pooled(sums, counts, i, samples, 5), 10),
            round(pooled(sums, counts, i, samples, 10), 10),
            -i,
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locomo", type=Path, default=Path("/work/shared/data/locomo"))
    parser.add_argument("--train-size", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/locomo_cv.md"))
    args = parser.parse_args()
    files = sorted(args.locomo.glob("*.json"))
    started = time.perf_counter()
    sums, counts = measure(files)
    samples = sorted(counts)
    splits = []
    held_out: dict[str, dict[int, list[float]]] = {s: {k: [] for k in KS} for s in samples}
    for train in itertools.combinations(samples, args.train_size):
        test = [s for s in samples if s not in train]
        chosen = select(sums, counts, list(train))
        row = {
            "train": list(train),
            "test": test,
            "chosen": GRID[chosen].label(),
            "train_at5": pooled(sums, counts, chosen, list(train), 5),
            **{f"test_at{k}": pooled(sums, counts, chosen, test, k) for k in KS},
        }
        splits.append(row)
        for s in test:
            for k in KS:
                held_out[s][k].append(sums[(chosen, s)][k] / counts[s])
    out_of_sample = {k: statistics.fmean(r[f"test_at{k}"] for r in splits) for k in KS}
    per_conversation = {s: {k: statistics.fmean(v[k]) for k in KS} for s, v in held_out.items()}
    final = select(sums, counts, samples)
    in_sample = {k: pooled(sums, counts, final, samples, k) for k in KS}
    figures = {
        "grid": len(GRID),
        "splits": len(splits),
        "out_of_sample": out_of_sample,
        "per_conversation": per_conversation,
        "conversation_interval_at5": t_interval([v[5] for v in per_conversation.values()]),
        "conversation_interval_at10": t_interval([v[10] for v in per_conversation.values()]),
        "final": asdict(GRID[final]),
        "final_in_sample": in_sample,
        "split_rows": splits,
    }
    print(json.dumps(figures, indent=2))
    minutes = (time.perf_counter() - started) / 60
    lines = [
        "# LoCoMo retrieval constants by cross-validation (offline: hashing embedder, no LLM)",
        "",
        f"`.venv/bin/python benchmarks/locomo_cv.py` on {machine()}, "
        f"{datetime.now(UTC):%Y-%m-%d}, {minutes:.0f} min; conversations: "
        f"{', '.join(f'{s} ({counts[s]} q)' for s in samples)}.",
        "",
        "Grid (fixed before the run): time, speaker and when bonuses each in "
        f"{{{', '.join(f'{b:g}' for b in BONUSES)}}}, reply context in "
        f"{{{', '.join(str(r) for r in REPLY_CONTEXTS)}}} characters: {len(GRID)} candidates. "
        "Rule (fixed before the run): best question-weighted recall@5 on the fitting "
        "conversations, ties by @10 then grid order. Impact factors at their SPEC defaults.",
        "",
        f"## Out of sample ({len(splits)} splits: fit on {args.train_size}, measure on the rest)",
        "",
        f"- Mean over splits of held-out recall: **@5 {out_of_sample[5]:.4f}**, "
        f"**@10 {out_of_sample[10]:.4f}**.",
        "- Per conversation (mean over the splits that held it out; conversations are the "
        "unit, n = 5, 95 % t interval of the mean): @5 "
        f"[{figures['conversation_interval_at5'][0]:.3f}, "
        f"{figures['conversation_interval_at5'][1]:.3f}], @10 "
        f"[{figures['conversation_interval_at10'][0]:.3f}, "
        f"{figures['conversation_interval_at10'][1]:.3f}].",
        "",
        "| conversation | held-out @5 | held-out @10 |",
        "|---|---:|---:|",
        *[f"| {s} | {v[5]:.4f} | {v[10]:.4f} |" for s, v in per_conversation.items()],
        "",
        "| fit on | measured on | chosen | fit @5 | held-out @5 | held-out @10 |",
        "|---|---|---|---:|---:|---:|",
        *[
            f"| {', '.join(r['train'])} | {', '.join(r['test'])} | {r['chosen']} | "
            f"{r['train_at5']:.4f} | {r['test_at5']:.4f} | {r['test_at10']:.4f} |"
            for r in splits
        ],
        "",
        "## Shipped constants (the same rule on all five)",
        "",
        f"{GRID[final].label()}: in-sample @5 {in_sample[5]:.4f}, @10 {in_sample[10]:.4f} "
        "(in-sample: the figure to expect elsewhere is the out-of-sample one above).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

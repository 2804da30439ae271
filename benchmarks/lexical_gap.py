"""Benchmark: how many generated questions share no word with the memories that answer them.

The offline Student finds and picks memories by their words (a hashing embedder, lexical
search, the extractive responder's term overlap). A question whose answering facts share
no content term with it ("Which sport do I do?" against "I spend my weekends on fencing")
can be answered offline only by luck; a model embedder or an LLM responder bridges it. This
counts, per generated scenario, the share of answerable probes whose expected facts all
share no term with the question (the responder's reading: stems of the question's content
terms, words of the moment such as "now" left out), and reports the mean over scenarios
with a 95 % t interval, overall and per probe kind. No Student runs: it reads the files.

Usage: python benchmarks/lexical_gap.py [--seed 4040] [--count 300]
       [--out benchmarks/results/lexical_gap.md]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from _maas_bench import machine, t_interval

from selflearn.maas._extractive import question_stems, term_stems
from selflearn.simulator import load_scenarios, write_generated_set

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=4040)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/lexical_gap.md")
    args = parser.parse_args()
    shares: list[float] = []
    probes: Counter[str] = Counter()
    apart: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        write_generated_set(args.count, args.seed, Path(folder))
        for scenario in load_scenarios([Path(folder)]):
            texts = {fact.id: fact.text for fact in scenario.facts}
            flags = []
            for probe in scenario.probes:
                if probe.unanswerable or not probe.expects:
                    continue
                wanted = question_stems(probe.question)
                alone = all(not term_stems(texts[f]) & wanted for f in probe.expects)
                flags.append(alone)
                probes[str(probe.kind)] += 1
                apart[str(probe.kind)] += alone
            if flags:
                shares.append(sum(flags) / len(flags))
    mean = statistics.fmean(shares)
    low, high = t_interval(shares)
    rows = [f"| {kind} | {probes[kind]} | {apart[kind] / probes[kind]:.2f} |" for kind in probes]
    text = "\n".join(
        [
            "# Generated questions that share no word with their answer",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} with `python "
            f"benchmarks/lexical_gap.py --seed {args.seed} --count {args.count}`: a fresh "
            f"generated set (seed {args.seed}), answerable probes only.",
            "",
            f"- Scenarios: {len(shares)}. Mean over scenarios of the share of answerable "
            "probes whose expected facts all share no content term with the question (a "
            "multi-hop probe counts only when none of its facts does, so this is a lower "
            "bound): "
            f"**{mean:.3f}** [{low:.3f}, {high:.3f}] (95 % t interval).",
            "- So a Student that matches words answers at most about "
            f"{1 - mean:.2f} of them on purpose; the rest only through a neighbour's words, "
            "a reply context or chance. The answer-correct target of 0.75 "
            "(`benchmarks/results/answer_quality.md`) needs more than word matching: a "
            "model embedder or an LLM responder.",
            "",
            "| probe kind | probes | share with no shared term |",
            "|---|---|---|",
            *rows,
        ]
    )
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

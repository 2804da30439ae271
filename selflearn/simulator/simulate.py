"""Run episodes of scenarios against the Student and summarise them (`selflearn simulate`)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from selflearn.maas import StudentClient
from selflearn.simulator._aggregate import aggregate_scores, pass_hat_k
from selflearn.simulator._agreement import agreement
from selflearn.simulator._paraphrase import Paraphraser
from selflearn.simulator._recorder import play_and_record
from selflearn.simulator._scenario import Scenario
from selflearn.simulator._seeding import derive_seed
from selflearn.simulator.episode import EpisodeResult, EpisodeSpec, ScoredProbe

#: The headline metrics, named as the campaign and the Manager name them.
HEADLINE = {
    "recall": "retrieval_recall",
    "precision": "retrieval_precision",
    "hit_rate": "hit_rate",
    "context_precision": "context_precision",
    "answer_correct_rate": "answer_correct_rate",
    "answer_f1": "answer_f1",
    "hallucination_rate": "hallucination_rate",
    "abstention_rate": "abstention_rate",
    "false_abstention_rate": "false_abstention_rate",
    "context_utilisation": "context_utilisation",
    "pass_rate": "pass_rate",
    "error_rate": "error_rate",
    "latency_ms_p50": "latency_ms_p50",
    "latency_ms_p95": "latency_ms_p95",
    "tokens_per_probe": "tokens_per_probe",
    "cost_usd": "cost_usd",
}


class ScenarioSummary(BaseModel):
    """One scenario over its seeds: mean metrics and reliability (pass^k)."""

    scenario_id: str
    episodes: int
    turns: int
    metrics: dict[str, float | None]
    pass_hat_k: dict[str, float]


class SimulationReport(BaseModel):
    """Every episode of a simulation, summarised overall and per scenario."""

    run_id: str
    episodes: int
    turns: int
    metrics: dict[str, float | None]
    per_scenario: list[ScenarioSummary]
    judge_agreement: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the `simulate --json` object (episodes and metrics first)."""
        return {
            "episodes": self.episodes,
            "metrics": self.metrics,
            "turns": self.turns,
            "run_id": self.run_id,
            "per_scenario": [s.model_dump() for s in self.per_scenario],
            "judge_agreement": self.judge_agreement,
        }


def _headline(results: Sequence[EpisodeResult]) -> dict[str, float | None]:
    metrics = aggregate_scores([p.score for r in results for p in r.probes]).model_dump()
    return {name: metrics.get(source) for name, source in HEADLINE.items()}


def _pass_hat(results: Sequence[EpisodeResult]) -> dict[str, float]:
    trials: dict[str, list[bool]] = {}
    for result in results:
        for probe in result.probes:
            trials.setdefault(probe.probe.probe_id, []).append(probe.score.passed)
    if not trials:
        return {}
    n = min(len(t) for t in trials.values())
    return {str(k): round(pass_hat_k(trials, k), 4) for k in range(1, n + 1)}


def simulate(
    scenarios: Sequence[Scenario],
    *,
    client: StudentClient,
    engine: Engine,
    episodes: int = 1,
    seed: int = 0,
    version_id: str | None = None,
    paraphraser: Paraphraser | None = None,
    judge: Callable[[ScoredProbe], Any] | None = None,
    on_episode: Callable[[EpisodeResult], None] | None = None,
    keep_memories: bool = False,
) -> SimulationReport:
    """Play `episodes` seeds of every scenario on one parameter version and record them.

    Each episode's simulated (`sim:`) memories are dropped once it is recorded, unless
    `keep_memories`.
    """
    run_id = f"sim-{uuid.uuid4().hex[:8]}"
    results: dict[str, list[EpisodeResult]] = {}
    for scenario in scenarios:
        for index in range(episodes):
            spec = EpisodeSpec(
                scenario=scenario,
                seed=derive_seed(seed, "simulate", index) % 1_000_000,
                campaign_id=run_id,
                version_id=version_id,
            )
            result = play_and_record(
                spec, client, engine, paraphraser=paraphraser, keep_memories=keep_memories
            )
            results.setdefault(scenario.id, []).append(result)
            if on_episode is not None:
                on_episode(result)
    every = [r for rs in results.values() for r in rs]
    agreement_report = None
    if judge is not None:
        probes = [p for r in every for p in r.probes]
        agreement_report = agreement([p.score for p in probes], [judge(p) for p in probes])
    return SimulationReport(
        judge_agreement=agreement_report,
        run_id=run_id,
        episodes=len(every),
        turns=sum(r.turns for r in every),
        metrics=_clean(_headline(every)),
        per_scenario=[
            ScenarioSummary(
                scenario_id=sid,
                episodes=len(rs),
                turns=sum(r.turns for r in rs),
                metrics=_clean(_headline(rs)),
                pass_hat_k=_pass_hat(rs),
            )
            for sid, rs in results.items()
        ],
    )


def _clean(metrics: dict[str, float | None]) -> dict[str, float | None]:
    return {
        k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
        for k, v in metrics.items()
    }

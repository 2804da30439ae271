"""Episode-level aggregation of probe scores, and pass^k across seeded trials."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import comb

import numpy as np
from pydantic import BaseModel, ConfigDict

from selflearn.simulator.metrics import ProbeScore


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


class EpisodeMetrics(BaseModel):
    """Means and rates over the probes of one episode (one scenario, one seed, one arm).

    Rates named `*_answerable` / `*_unanswerable` are over those probes only, so that
    abstaining more can never pass for answering better: an always-abstaining Student gets
    hallucination_rate 0, abstention_rate 1 and answer_correct_rate 0.
    """

    model_config = ConfigDict(frozen=True)

    probes: int
    answerable: int
    unanswerable: int
    retrieval_precision: float | None
    retrieval_recall: float | None
    hit_rate: float | None
    context_precision: float | None
    answer_correct_rate: float | None
    answer_f1: float | None
    unanswerable_correct_rate: float | None
    correct_rate: float | None
    hallucination_rate: float | None
    forbidden_rate: float | None
    abstention_rate: float | None
    false_abstention_rate: float | None
    premise_refusal_rate: float | None
    context_utilisation: float | None
    pass_rate: float | None
    error_rate: float | None
    latency_ms_mean: float | None
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    stage_latency_ms_p50: dict[str, float]
    stage_latency_ms_p95: dict[str, float]
    prompt_tokens: int
    completion_tokens: int
    tokens_per_probe: float | None
    cost_usd: float


def aggregate_scores(scores: Sequence[ProbeScore]) -> EpisodeMetrics:
    """Aggregate probe scores; undefined per-probe values (None) are left out of means."""
    answerable = [s for s in scores if not s.unanswerable]
    unanswerable = [s for s in scores if s.unanswerable]
    latencies = [s.latency_ms for s in scores if s.latency_ms is not None]
    stages: dict[str, list[float]] = {}
    for score in scores:
        for stage, value in score.stage_latency_ms.items():
            stages.setdefault(stage, []).append(value)
    prompt = sum(s.prompt_tokens for s in scores)
    completion = sum(s.completion_tokens for s in scores)
    return EpisodeMetrics(
        probes=len(scores),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        retrieval_precision=_mean(s.precision for s in scores),
        retrieval_recall=_mean(s.recall for s in scores),
        hit_rate=_mean(s.hit for s in scores),
        context_precision=_mean(s.context_precision for s in scores),
        answer_correct_rate=_mean(s.correct for s in answerable),
        answer_f1=_mean(s.answer_f1 for s in answerable),
        unanswerable_correct_rate=_mean(s.correct for s in unanswerable),
        correct_rate=_mean(s.correct for s in scores),
        hallucination_rate=_mean(s.hallucinated for s in scores),
        forbidden_rate=_mean(bool(s.forbidden_hits) for s in scores),
        abstention_rate=_mean(s.abstained for s in scores),
        false_abstention_rate=_mean(s.abstained for s in answerable),
        premise_refusal_rate=_mean(s.refused_premise for s in unanswerable),
        context_utilisation=_mean(s.context_utilisation for s in scores),
        pass_rate=_mean(s.passed for s in scores),
        error_rate=_mean(s.error is not None for s in scores),
        latency_ms_mean=_mean(latencies),
        latency_ms_p50=_percentile(latencies, 50),
        latency_ms_p95=_percentile(latencies, 95),
        stage_latency_ms_p50={k: float(np.percentile(v, 50)) for k, v in sorted(stages.items())},
        stage_latency_ms_p95={k: float(np.percentile(v, 95)) for k, v in sorted(stages.items())},
        prompt_tokens=prompt,
        completion_tokens=completion,
        tokens_per_probe=(prompt + completion) / len(scores) if scores else None,
        cost_usd=sum(s.cost_usd for s in scores),
    )


def episode_passed(scores: Sequence[ProbeScore], *, min_pass_rate: float = 1.0) -> bool:
    """Return whether an episode succeeds: at least `min_pass_rate` of its probes pass."""
    if not scores:
        return False
    return sum(s.passed for s in scores) / len(scores) >= min_pass_rate


def pass_hat_k_task(trials: int, successes: int, k: int) -> float:
    """Return the unbiased pass^k of one task: C(successes, k) / C(trials, k)."""
    if not 0 <= successes <= trials:
        raise ValueError(f"successes ({successes}) must lie between 0 and trials ({trials})")
    if not 1 <= k <= trials:
        raise ValueError(f"k ({k}) must lie between 1 and the number of trials ({trials})")
    return comb(successes, k) / comb(trials, k)


def pass_hat_k(outcomes: Mapping[str, Sequence[bool]], k: int) -> float:
    """Return pass^k (tau-bench): the chance that k i.i.d. trials of a task all succeed.

    `outcomes` maps each task (a scenario, or a scenario's probe) to its trial results
    across seeds; the per-task estimates C(c, k) / C(n, k) are averaged over tasks.
    """
    if not outcomes:
        raise ValueError("pass^k needs at least one task")
    values = [pass_hat_k_task(len(t), sum(bool(x) for x in t), k) for t in outcomes.values()]
    return sum(values) / len(values)

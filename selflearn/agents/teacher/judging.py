"""The judge in the loop: a seeded sample of each episode's probes, and its agreement.

Each episode of an experiment or a cycle has `per_episode` of its probes judged (picked by a
generator seeded from the episode id, so a replay judges the same probes); the label and
score go into `probe_results` beside the SQL metrics, which alone decide. Per experiment,
the judged probes give Cohen's kappa against the metrics on correctness and hallucination,
and the probes where the two disagree. The offline judge is the metrics relabelled (the
rule-based judge scores with the same functions), so its agreement is near 1 by
construction: the report says so next to it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine, text

from selflearn.agents.teacher.judge import judge_probe
from selflearn.errors import ProviderError
from selflearn.simulator import EpisodeJudge, agreement

#: Probes judged per episode unless the campaign says otherwise.
DEFAULT_JUDGED_PER_EPISODE = 1
OFFLINE_NOTE = (
    "offline judge: the metrics relabelled by the rule-based judge, so agreement near 1 "
    "is by construction, not evidence"
)

_JUDGED = text(
    """
    SELECT scenario_id, probe_id, variant, answer_correct, hallucination, judge_label,
           judge_score
    FROM probe_results
    WHERE judge_label IS NOT NULL
      AND (CAST(:experiment AS text) IS NULL OR experiment_id = :experiment)
      AND (CAST(:campaign AS text) IS NULL
           OR episode_id IN (SELECT id FROM episodes WHERE campaign_id = :campaign))
    ORDER BY scenario_id, probe_id, variant, episode_id
    """
)


def _label(correct: bool, hallucinated: bool) -> str:
    return ("correct" if correct else "incorrect") + ("_hallucinated" if hallucinated else "")


def label_of(verdict: Any) -> str:
    """Return the stored label of a judge verdict: correct or incorrect, with
    "_hallucinated" when it asserts what it should not (both flags, so kappa can be read
    back on each)."""
    return _label(bool(verdict.correct), bool(verdict.hallucinated))


def episode_judge(
    model: BaseChatModel, *, per_episode: int = DEFAULT_JUDGED_PER_EPISODE
) -> EpisodeJudge:
    """Return a judge of a seeded sample of `per_episode` probes of each episode.

    A judge call that fails after its retries leaves that probe unjudged (the call and its
    error are in the role's telemetry): the judge adds, it never stops the metrics.
    """

    def judge(spec: Any, probes: Sequence[Any]) -> Mapping[int, tuple[str, float]]:
        if per_episode <= 0 or not probes:
            return {}
        rng = random.Random(f"judge:{spec.episode_id}")
        chosen = sorted(rng.sample(range(len(probes)), min(per_episode, len(probes))))
        verdicts: dict[int, tuple[str, float]] = {}
        for index in chosen:
            probe = probes[index]
            truth = probe.probe.truth
            expected = None if truth.unanswerable else truth.answer
            try:
                verdict = judge_probe(
                    probe.probe.question, probe.answer, list(probe.context), expected,
                    list(truth.forbidden), model=model,
                )  # fmt: skip
            except ProviderError:
                continue
            verdicts[index] = (label_of(verdict), float(verdict.score))
        return verdicts

    return judge


def judge_agreement(
    engine: Engine,
    experiment_id: str | None = None,
    *,
    campaign_id: str | None = None,
    offline: bool,
    limit: int = 5,
) -> dict[str, Any]:
    """Return the judge's agreement with the metrics over the judged probes of an
    experiment, or of a campaign or cycle (`campaign_id`)."""
    params = {"experiment": experiment_id, "campaign": campaign_id}
    with engine.connect() as conn:
        rows = conn.execute(_JUDGED, params).all()
    return summarise(rows, offline=offline, limit=limit)


def summarise(rows: Sequence[Any], *, offline: bool, limit: int = 5) -> dict[str, Any]:
    """Return kappa and disagreements of judged probe rows (metric flags, judge label)."""
    judged = [
        SimpleNamespace(
            correct=r.judge_label.startswith("correct"),
            hallucinated=r.judge_label.endswith("_hallucinated"),
        )
        for r in rows
    ]
    summary = agreement(rows, judged) if rows else {"n": 0}
    disagreements = [
        {
            "scenario": r.scenario_id,
            "probe": r.probe_id,
            "variant": r.variant,
            "metrics": _metric_label(r),
            "judge": r.judge_label,
        }
        for r in rows
        if _metric_label(r) != r.judge_label
    ]
    return {
        **summary,
        "judge": "offline" if offline else "model",
        "note": OFFLINE_NOTE if offline else "",
        "disagreements": disagreements[:limit],
        "disagreement_count": len(disagreements),
    }


def _metric_label(row: Any) -> str:
    return _label(bool(row.answer_correct), bool(row.hallucination))


def kappa_text(summary: Mapping[str, Any]) -> str:
    """Return the agreement in one line: probes judged, kappa on each label."""
    if not summary.get("n"):
        return "no probe judged"

    def one(key: str) -> str:
        part = summary.get(key) or {}
        kappa = part.get("kappa")
        return "undefined" if kappa is None else f"{kappa:.2f}"

    return (
        f"{summary['n']} probes judged; Cohen's kappa correctness {one('correct')}, "
        f"hallucination {one('hallucinated')}; {summary.get('disagreement_count', 0)} "
        "disagreements"
    )

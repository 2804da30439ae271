"""The Teacher's entries in the learning journal: hypotheses, decisions, recommendations.

Kinds written here: ``hypothesis`` (with the `prepare_experiment` payload and the plan),
``note`` (a proposal dropped on the way to a hypothesis, and why), ``decision`` (the
verdicts with every delta and interval, the sample-ratio check and the arm summaries) and
``recommendation`` (the `update_params` payload, or why nothing changes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from selflearn.agents.teacher._plan import ExperimentPlan
from selflearn.agents.teacher.evaluate import Evaluation
from selflearn.agents.teacher.recommend import ExperimentRecommendation
from selflearn.store.models import JournalEntry


def _entry(
    kind: str,
    summary: str,
    evidence: dict[str, object],
    *,
    experiment_id: str,
    campaign_id: str | None,
    now: datetime,
) -> JournalEntry:
    return JournalEntry(
        kind=kind,
        summary=summary,
        evidence=evidence,
        campaign_id=campaign_id,
        experiment_id=experiment_id,
        created_at=now,
    )


def journal_hypothesis(
    plan: ExperimentPlan, *, session: Session, now: datetime, campaign_id: str | None = None
) -> list[JournalEntry]:
    """Write the plan's hypothesis, and one note per proposal dropped while designing it."""
    entries = [
        _entry(
            "note",
            note,
            {"source": plan.source},
            experiment_id=plan.experiment_id,
            campaign_id=campaign_id,
            now=now,
        )
        for note in plan.notes
    ]
    entries.append(
        _entry(
            "hypothesis",
            plan.hypothesis,
            {
                "source": plan.source,
                "rule": plan.rule,
                "prepare_experiment": plan.prepare,
                "metrics": [m.model_dump(mode="json") for m in plan.metrics],
                "assumed_effect_sd": plan.assumed_effect_sd,
                "alpha": plan.alpha,
                "power": plan.power,
                "planned_pairs": plan.planned_pairs,
                "max_pairs": plan.max_pairs,
            },
            experiment_id=plan.experiment_id,
            campaign_id=campaign_id,
            now=now,
        )
    )
    session.add_all(entries)
    session.flush()
    return entries


def journal_decision(
    evaluation: Evaluation, *, session: Session, now: datetime, campaign_id: str | None = None
) -> JournalEntry:
    """Write the verdicts of one look, with the deltas and intervals as evidence."""
    summary = "; ".join(f"{v.variant}: {v.verdict} ({v.reasons[0]})" for v in evaluation.verdicts)
    entry = _entry(
        "decision",
        f"look {evaluation.look} of {evaluation.experiment_id} after {evaluation.pairs} "
        f"pairs: {summary}",
        {
            "look": evaluation.look,
            "pairs": evaluation.pairs,
            "unfinished": evaluation.unfinished,
            "report": evaluation.report.model_dump(mode="json"),
            "arms": {arm: s.model_dump(mode="json") for arm, s in evaluation.arms.items()},
        },
        experiment_id=evaluation.experiment_id,
        campaign_id=campaign_id,
        now=now,
    )
    session.add(entry)
    session.flush()
    return entry


def journal_recommendation(
    recommendation: ExperimentRecommendation,
    *,
    session: Session,
    now: datetime,
    campaign_id: str | None = None,
) -> JournalEntry:
    """Write a recommendation: the payload handed to the Tuner, or why nothing changes."""
    entry = _entry(
        "recommendation",
        recommendation.reason,
        recommendation.model_dump(mode="json"),
        experiment_id=recommendation.experiment_id,
        campaign_id=campaign_id,
        now=now,
    )
    session.add(entry)
    session.flush()
    return entry

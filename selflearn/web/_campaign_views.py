"""What the owner sees of a campaign: its experiments, each arm's metrics, the looks, the report."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selflearn.errors import NotFoundError
from selflearn.graph import list_campaigns
from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign, Experiment, ExperimentResult, Proposal
from selflearn.web._jobs import CampaignJob

__all__ = ["campaign_detail", "campaign_page", "count_campaigns", "experiment_views"]


def count_campaigns(database: Database, status: str | None = None) -> int:
    """Return how many campaigns there are (of `status`, if given)."""
    query = select(func.count()).select_from(Campaign)
    if status is not None:
        query = query.where(Campaign.status == status)
    with session_scope(database.engine) as session:
        return int(session.scalar(query) or 0)


def campaign_page(
    database: Database, *, limit: int, offset: int, status: str | None
) -> dict[str, Any]:
    """Return a page of campaigns, newest first, and how many there are in all."""
    items = list_campaigns(database, limit=limit, offset=offset, status=status, newest_first=True)
    return {
        "items": items,
        "total": count_campaigns(database, status),
        "limit": limit,
        "offset": offset,
    }


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def experiment_views(session: Session, campaign_id: str) -> list[dict[str, Any]]:
    """Return the campaign's experiments: design, verdict, each arm's latest look, all looks."""
    experiments = session.scalars(
        select(Experiment)
        .where(Experiment.campaign_id == campaign_id)
        .order_by(Experiment.created_at, Experiment.id)
    ).all()
    if not experiments:
        return []
    results = session.scalars(
        select(ExperimentResult)
        .where(ExperimentResult.experiment_id.in_([e.id for e in experiments]))
        .order_by(ExperimentResult.experiment_id, ExperimentResult.look, ExperimentResult.id)
    ).all()
    by_experiment: dict[str, list[ExperimentResult]] = defaultdict(list)
    for row in results:
        by_experiment[row.experiment_id].append(row)
    views = []
    for experiment in experiments:
        rows = by_experiment.get(experiment.id, [])
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        looks: list[dict[str, Any]] = []
        for row in rows:
            point = {
                "variant": row.variant,
                "metric": row.metric,
                "look": row.look,
                "n": row.n,
                "baseline": _number(row.baseline_mean),
                "value": _number(row.variant_mean),
                "effect": _number(row.effect),
                "ci_low": _number(row.ci_low),
                "ci_high": _number(row.ci_high),
                "p_value": _number(row.p_value),
                "verdict": row.verdict,
            }
            looks.append(point)
            latest[(row.variant, row.metric)] = point
        design = experiment.design or {}
        views.append(
            {
                "id": experiment.id,
                "hypothesis": experiment.hypothesis,
                "status": experiment.status,
                "verdict": experiment.verdict,
                "variants": design.get("variants", []),
                "metrics": list(latest.values()),
                "looks": looks,
            }
        )
    return views


def campaign_detail(
    database: Database, campaign_id: str, job: CampaignJob | None
) -> dict[str, Any]:
    """Return everything the owner sees of one campaign."""
    with session_scope(database.engine) as session:
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFoundError(
                f"no campaign {campaign_id!r}", hint="GET /api/v1/campaigns lists them."
            )
        waiting = None
        if row.status == "awaiting_approval":
            proposal = session.scalars(
                select(Proposal)
                .where(Proposal.campaign_id == campaign_id, Proposal.status == "pending")
                .order_by(Proposal.id.desc())
            ).first()
            if proposal is not None:
                waiting = {"proposal_id": proposal.id, "reason": proposal.reason}
        return {
            "campaign_id": row.id,
            "status": job.status if job is not None and not job.done else row.status,
            "started_at": row.started_at.isoformat(),
            "config": dict(row.config),
            "progress": job.progress() if job is not None else None,
            "waiting_for": waiting,
            "experiments": experiment_views(session, campaign_id),
            "report": row.report,
        }

"""Proposals with their evidence, and the owner's decision on one (which resumes its campaign)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError
from selflearn.store import session_scope
from selflearn.store.models import Campaign, Experiment, ExperimentResult, Proposal
from selflearn.tuner import (
    approve_proposal,
    get_proposal,
    list_proposals,
    proposal_record,
    reject_proposal,
)
from selflearn.web._state import WebState

__all__ = ["approval_dict", "approvals", "decide"]


def _evidence(session: Session, experiment_id: str | None) -> dict[str, Any] | None:
    if not experiment_id:
        return None
    experiment = session.get(Experiment, experiment_id)
    rows = session.scalars(
        select(ExperimentResult)
        .where(ExperimentResult.experiment_id == experiment_id)
        .order_by(ExperimentResult.look, ExperimentResult.id)
    ).all()
    latest: dict[tuple[str, str], ExperimentResult] = {}
    for row in rows:
        latest[(row.variant, row.metric)] = row
    guardrails = []
    if experiment is not None:
        guardrails = list((experiment.design or {}).get("guardrails", []) or [])
    return {
        "experiment_id": experiment_id,
        "hypothesis": experiment.hypothesis if experiment is not None else "",
        "verdict": experiment.verdict if experiment is not None else None,
        "looks": max((r.look for r in rows), default=0),
        "guardrails": guardrails,
        "deltas": [
            {
                "variant": r.variant,
                "metric": r.metric,
                "n": r.n,
                "effect": r.effect,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "p_value": r.p_value,
                "verdict": r.verdict,
            }
            for r in latest.values()
        ],
    }


def approval_dict(session: Session, proposal: Proposal, *, evidence: bool = True) -> dict[str, Any]:
    """Return a proposal as the owner API shows it, with its experiment's evidence."""
    return {
        **proposal_record(proposal),
        "evidence": _evidence(session, proposal.experiment_id) if evidence else None,
    }


def approvals(state: WebState, status: str | None) -> list[dict[str, Any]]:
    """Return proposals (of `status`, or all), oldest first, with their evidence."""
    with session_scope(state.engine) as session:
        return [approval_dict(session, p) for p in list_proposals(session=session, status=status)]


def decide(state: WebState, proposal_id: int, *, approve: bool, reason: str, by: str) -> dict:
    """Approve or reject a pending proposal, then resume the campaign that waits for it.

    A second decision on the same proposal is a conflict (409) and changes nothing.
    """
    now = state.clock()
    version = None
    with session_scope(state.engine) as session:
        if approve:
            result = approve_proposal(
                proposal_id, session=session, now=now, decided_by=by, note=reason
            )
            version = result.version.version if result.version is not None else None
        else:
            reject_proposal(proposal_id, session=session, now=now, decided_by=by, note=reason)
        proposal = get_proposal(proposal_id, session=session)
        campaign = session.get(Campaign, proposal.campaign_id) if proposal.campaign_id else None
        waiting = campaign is not None and campaign.status == "awaiting_approval"
        decided = approval_dict(session, proposal)
    resumed = None
    if waiting and decided["campaign_id"]:
        try:
            # The graph's approval step sees the stored decision and goes on.
            resumed = state.jobs.resume(decided["campaign_id"]).campaign_id
        except ConflictError:
            resumed = None  # another campaign runs here; `resume` continues this one later
    return {"proposal": decided, "version": version, "resumed_campaign": resumed}

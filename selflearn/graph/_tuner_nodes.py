"""Tuner nodes: bind the experiment's arms to versions, and apply a recommended change."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from sqlalchemy import select

from selflearn.agents.manager import GoalSpec
from selflearn.errors import ConflictError, RuleViolation
from selflearn.graph._context import CampaignContext
from selflearn.graph._state import CampaignState, look_episodes
from selflearn.store import session_scope
from selflearn.store.models import ParameterChange, Proposal
from selflearn.tuner import active_version, prepare_experiment, update_params


def prepare_arms(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Tuner: one candidate version per arm, bound to the experiment (idempotent)."""
    ctx = runtime.context
    plan = state["plan"]
    assert plan is not None
    with session_scope(ctx.engine) as session:
        prepare_experiment(
            plan["prepare"], session=session, now=ctx.clock(), initiated_by="teacher"
        )
    ctx.notify("dispatch", episodes=look_episodes(state, len(plan["prepare"]["variants"])), look=1)
    return {"look": 1}


def _already_applied(experiment_id: str, session: Any) -> bool:
    row = session.scalars(
        select(ParameterChange.id).where(
            ParameterChange.experiment_id == experiment_id,
            ParameterChange.action == "update_params",
        )
    ).first()
    return row is not None


def _proposal_for(experiment_id: str, campaign_id: str, session: Any) -> Proposal | None:
    return session.scalars(
        select(Proposal)
        .where(Proposal.experiment_id == experiment_id, Proposal.campaign_id == campaign_id)
        .order_by(Proposal.id.desc())
    ).first()


def apply_change(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Tuner: apply the recommendation, or file it as a proposal when it needs the owner.

    Safe to run twice (a campaign resumed after a crash): a change already applied or
    already proposed for this experiment is not made again.
    """
    ctx = runtime.context
    change = state.get("pending_change")
    assert change is not None
    experiment_id = change.get("experiment_id") or ""
    goal = GoalSpec.model_validate(state["goal"])
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        if _already_applied(experiment_id, session):
            active = active_version(session=session)
            return {"pending_change": None, "decisions": [_decision(change, "applied", active)]}
        proposal = _proposal_for(experiment_id, state["campaign_id"], session)
        if proposal is None:
            try:
                result = update_params(change, session=session, now=now, autonomy=goal.autonomy)
            except (RuleViolation, ConflictError) as refused:
                ctx.notify("change", status="refused", reason=refused.message)
                return {
                    "pending_change": None,
                    "decisions": [_decision(change, "refused", None, note=refused.message)],
                }
            if result.applied and result.version is not None:
                ctx.notify("change", status="applied", version=result.version.version)
                return {
                    "pending_change": None,
                    "decisions": [_decision(change, "applied", result.version)],
                }
            proposal = result.proposal
            assert proposal is not None
            proposal.campaign_id = state["campaign_id"]
            proposal.experiment_id = experiment_id
            session.flush()
        ctx.notify("change", status="proposed", proposal=proposal.id)
        return {"pending_change": {**change, "proposal_id": proposal.id}}


def route_after_apply(state: CampaignState) -> Literal["await_approval", "design_next"]:
    """Wait for the owner when the change became a proposal."""
    change = state.get("pending_change")
    return "await_approval" if change and change.get("proposal_id") else "design_next"


def _decision(
    change: dict[str, Any], status: str, version: Any, *, note: str | None = None
) -> dict[str, Any]:
    return {
        "experiment_id": change.get("experiment_id"),
        "status": status,
        "reason": change.get("reason", ""),
        "changes": change.get("changes", []),
        "version": getattr(version, "version", None),
        "note": note,
    }

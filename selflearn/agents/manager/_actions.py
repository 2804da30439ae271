"""The Manager's actions on its tools: look, run, decide; each call goes on the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selflearn.agents.manager._intents import (
    AnyIntent,
    Approve,
    ExplainVersion,
    ListProposals,
    Reject,
    Rollback,
    RunCampaign,
    ShowReport,
    ShowStatus,
)
from selflearn.agents.manager._log import ConversationLog
from selflearn.agents.manager._models import GoalRecord
from selflearn.agents.manager._render import (
    render_campaign,
    render_proposals,
    render_report,
    render_status,
)
from selflearn.agents.manager._reply import ManagerReply, PendingAction, call_tool
from selflearn.agents.manager._tools import ManagerTools

LOOKS = (ShowStatus, ExplainVersion, ListProposals, ShowReport)


def look(tools: ManagerTools, log: ConversationLog, intent: AnyIntent) -> ManagerReply:
    """Answer a question about the state: status, a version, proposals or a report."""
    if isinstance(intent, ShowStatus):
        status = call_tool(log, "status", tools.status)
        data = status.model_dump(mode="json")
        return ManagerReply(text=render_status(status), data=data, intent="status")
    if isinstance(intent, ExplainVersion):
        version = intent.version
        explained = call_tool(
            log, "explain_version", lambda: tools.explain_version(version), version=version
        )
        return ManagerReply(text=explained, data={"version": version}, intent="explain_version")
    if isinstance(intent, ListProposals):
        proposals = call_tool(log, "list_proposals", tools.list_proposals)
        data = {"proposals": [p.model_dump(mode="json") for p in proposals]}
        return ManagerReply(text=render_proposals(proposals), data=data, intent="list_proposals")
    assert isinstance(intent, ShowReport)
    campaign_id = intent.campaign_id
    report = call_tool(log, "report", lambda: tools.report(campaign_id), campaign_id=campaign_id)
    data = report.model_dump(mode="json")
    return ManagerReply(text=render_report(report), data=data, intent="report")


def run_campaign(
    tools: ManagerTools, log: ConversationLog, goal: GoalRecord, intent: RunCampaign
) -> ManagerReply:
    """Run a campaign for the current goal and summarise it."""
    summary = call_tool(
        log,
        "run_campaign",
        lambda: tools.run_campaign(goal.id, intent.budget, intent.seed, intent.scenarios),
        goal_id=goal.id,
        budget=intent.budget,
        seed=intent.seed,
        scenarios=intent.scenarios,
    )
    data = summary.model_dump(mode="json")
    return ManagerReply(text=render_campaign(summary), data=data, intent="run_campaign")


def ask_approve(
    tools: ManagerTools, log: ConversationLog, intent: Approve
) -> ManagerReply | PendingAction:
    """Return the confirmation an approval needs, or why there is nothing to approve."""
    proposals = call_tool(log, "list_proposals", tools.list_proposals)
    found = next((p for p in proposals if p.id == intent.proposal_id), None)
    if found is None:
        text = f"There is no proposal #{intent.proposal_id}. " + render_proposals(proposals)
        return ManagerReply(text=text, data={"error": {"code": "not_found"}}, intent="approve")
    if found.status != "pending":
        text = f"Proposal #{found.id} was already {found.status}; there is nothing to decide."
        return ManagerReply(text=text, data={"error": {"code": "conflict"}}, intent="approve")
    moves = ", ".join(c.describe() for c in found.changes)
    question = f"Approve proposal #{found.id}: {found.summary}"
    question += f" ({moves})?" if moves else "?"
    return PendingAction(kind="approve", proposal_id=found.id, note=intent.note, question=question)


def reject(tools: ManagerTools, log: ConversationLog, intent: Reject) -> ManagerReply:
    """Reject a proposal (no confirmation: nothing changes) and record the decision."""
    proposal_id, note = intent.proposal_id, intent.note
    result = call_tool(
        log, "reject", lambda: tools.reject(proposal_id, note), proposal_id=proposal_id, note=note
    )
    log.decision(
        f"owner rejected proposal #{proposal_id}",
        {"action": "reject", "proposal_id": proposal_id, "note": note},
    )
    return ManagerReply(text=result, data={"proposal_id": proposal_id}, intent="reject")


def ask_rollback(
    tools: ManagerTools, log: ConversationLog, intent: Rollback
) -> ManagerReply | PendingAction:
    """Return the confirmation a rollback needs, or why there is nothing to roll back."""
    status = call_tool(log, "status", tools.status)
    if status.active_version is None:
        text = "No version is active, so there is nothing to roll back."
        return ManagerReply(text=text, data={"error": {"code": "conflict"}}, intent="rollback")
    question = (
        f"Roll back the active version {status.active_version} to the previous one "
        f"because {intent.reason}?"
    )
    return PendingAction(kind="rollback", reason=intent.reason, question=question)


@dataclass(frozen=True)
class Done:
    """A confirmed action carried out: the reply, the decision and its evidence."""

    text: str
    summary: str
    evidence: dict[str, Any]
    goal: GoalRecord | None = None


def execute(tools: ManagerTools, log: ConversationLog, pending: PendingAction) -> Done:
    """Carry out a confirmed action."""
    if pending.kind == "set_goal":
        spec = pending.spec
        assert spec is not None
        record = call_tool(log, "set_goal", lambda: tools.set_goal(spec), spec=spec)
        return Done(
            text=f"Saved: goal {record.id} is now the current goal. Say 'run a campaign' next.",
            summary=f"owner confirmed goal {record.id}: {spec.summary().splitlines()[0]}",
            evidence={"goal_id": record.id, "spec": spec.model_dump(mode="json")},
            goal=record,
        )
    if pending.kind == "approve":
        proposal_id, note = pending.proposal_id or 0, pending.note
        result = call_tool(
            log,
            "approve",
            lambda: tools.approve(proposal_id, note),
            proposal_id=proposal_id,
            note=note,
        )
        evidence = {"proposal_id": proposal_id, "note": note, "result": result}
        return Done(result, f"owner approved proposal #{proposal_id}", evidence)
    reason = pending.reason or "requested by the owner"
    result = call_tool(log, "rollback", lambda: tools.rollback(reason), reason=reason)
    return Done(result, f"owner rolled back: {reason}", {"reason": reason, "result": result})

"""The Manager in the console: the Manager of `selflearn chat`, campaigns in the background.

The only difference from the terminal is where a campaign runs: the terminal waits for it,
the console starts it in a background job and shows its progress on the Campaigns page. An
approval given in the chat resumes the campaign that waited for it.
"""

from __future__ import annotations

from typing import Any

from selflearn.agents.manager import CampaignSummary, ConversationLog, Manager
from selflearn.errors import ConflictError, NotFoundError
from selflearn.graph import CampaignOptions, GraphTools
from selflearn.store import session_scope
from selflearn.store.models import Proposal
from selflearn.web._state import WebState

__all__ = ["ConsoleTools", "conversation", "talk"]


class ConsoleTools(GraphTools):
    """The Manager's tools, with campaigns driven by the server's background jobs."""

    def __init__(self, state: WebState, defaults: CampaignOptions) -> None:
        runner = state.components.campaign_runner(student=state.student)
        super().__init__(
            state.components.database, runner, clock=state.clock, default_options=defaults
        )
        self.state = state

    def run_campaign(
        self, goal_id: str, budget: int | None, seed: int | None, scenarios: list[str] | None
    ) -> CampaignSummary:
        """Start a campaign for a saved goal in the background (scenarios: the server's)."""
        spec, options = self.goal_campaign(goal_id, budget, seed, None)
        job = self.state.jobs.start(options, spec=spec, goal_id=goal_id)
        return CampaignSummary(
            campaign_id=job.campaign_id,
            goal_id=goal_id,
            status="running",
            offline=self.runner.offline,
            message="It runs in the background: follow it on the Campaigns page.",
        )

    def approve(self, proposal_id: int, note: str | None) -> str:
        """Approve a proposal and resume the campaign that waits for it."""
        text = super().approve(proposal_id, note)
        with session_scope(self.database.engine) as session:
            proposal = session.get(Proposal, proposal_id)
            campaign = proposal.campaign_id if proposal is not None else None
        if campaign:
            try:
                self.state.jobs.resume(campaign)
                text = f"Approved proposal #{proposal_id}; campaign {campaign} goes on."
            except (ConflictError, NotFoundError):
                pass  # not waiting (or another runs): the text already says how to resume
        return text


def _message(stored: Any) -> dict[str, Any]:
    return {
        "id": stored.id,
        "role": stored.role,
        "content": stored.content,
        "data": stored.data,
        "created_at": stored.created_at.isoformat(),
    }


def conversation(state: WebState, conversation_id: str) -> dict[str, Any]:
    """Return every stored message of a conversation, and what it waits for."""
    log = ConversationLog(conversation_id, lambda: session_scope(state.engine))
    messages = [_message(m) for m in log.messages()]
    if not messages:
        raise NotFoundError(
            f"no conversation {conversation_id!r}", hint="Send a first message to start one."
        )
    pending = None
    for message in messages:
        if message["role"] == "manager":
            pending = message["data"].get("pending")
    return {"conversation_id": conversation_id, "messages": messages, "pending": pending}


def talk(
    state: WebState, defaults: CampaignOptions, message: str, conversation_id: str | None
) -> dict[str, Any]:
    """Give one message to the Manager; return its reply and the tool calls it made."""
    manager = Manager(
        ConsoleTools(state, defaults),
        engine=state.engine,
        conversation_id=conversation_id,
        llm=state.components.manager_llm(),
    )
    log = ConversationLog(manager.conversation_id, lambda: session_scope(state.engine))
    seen = max((m.id for m in log.messages()), default=0)
    reply = manager.handle(message)
    tools = [
        {"tool": m.data.get("tool", m.content), "ok": m.data.get("ok"), **m.data}
        for m in log.messages()
        if m.id > seen and m.role == "tool"
    ]
    return {
        "conversation_id": manager.conversation_id,
        "text": reply.text,
        "intent": reply.intent,
        "awaiting_confirmation": reply.awaiting_confirmation,
        "pending": manager.pending.model_dump(mode="json") if manager.pending else None,
        "tools": tools,
        "data": reply.data,
    }

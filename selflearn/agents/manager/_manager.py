"""The Manager: the owner's only contact. It reads, restates, confirms, calls tools, reports.

Confirm before acting: a new or adjusted goal is restated in words and saved only after a
yes; approving a proposal and rolling back wait for a yes too. "no" cancels. Any other
message while something waits sets the waiting action aside (and says so); an adjustment
("don't touch the prompt") while a goal waits amends that goal instead. Every message,
tool call and decision is stored, so a conversation resumes from its id.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import ValidationError
from sqlalchemy import Engine

from selflearn.agents.manager._actions import (
    LOOKS,
    ask_approve,
    ask_rollback,
    execute,
    look,
    reject,
    run_campaign,
)
from selflearn.agents.manager._draft import problems_of
from selflearn.agents.manager._goal import GoalSpec
from selflearn.agents.manager._help import GOAL_EXAMPLES, examples_text, help_text
from selflearn.agents.manager._intent_parser import parse_intent
from selflearn.agents.manager._intents import (
    AdjustGoal,
    AnyIntent,
    Approve,
    Cancel,
    Confirm,
    Greet,
    NotUnderstood,
    Reject,
    Rollback,
    RunCampaign,
    SetGoal,
    ShowHelp,
    Thank,
    intent_name,
)
from selflearn.agents.manager._llm import LLMIntentSource, LLMTurn, uses_llm
from selflearn.agents.manager._log import ConversationLog, SessionFactory, session_factory_for
from selflearn.agents.manager._models import GoalRecord
from selflearn.agents.manager._reply import ManagerReply, PendingAction, ToolFailed, call_tool
from selflearn.agents.manager._tools import ManagerTools
from selflearn.errors import ProviderError

CONFIRM_HINT = "Shall I go ahead? (yes / no)"
GREETING = (
    "Hello! I'm the Manager: tell me what you want from the memory service and I turn it "
    "into experiments, run them and report. For example:\n"
    + examples_text(GOAL_EXAMPLES[:2] + ("run a campaign with budget 40", "status", "help"))
)


class Manager:
    """One conversation between the owner and the Manager, on the record."""

    def __init__(
        self,
        tools: ManagerTools,
        *,
        engine: Engine | None = None,
        session_factory: SessionFactory | None = None,
        conversation_id: str | None = None,
        llm: BaseChatModel | None = None,
    ) -> None:
        self.tools = tools
        self.conversation_id = conversation_id or uuid.uuid4().hex
        if session_factory is None:
            if engine is None:
                raise TypeError("the Manager needs an engine or a session factory for its log")
            session_factory = session_factory_for(engine)
        self._log = ConversationLog(self.conversation_id, session_factory)
        self._llm = LLMIntentSource(llm) if llm is not None and uses_llm(llm) else None
        self.pending: PendingAction | None = None
        self.goal: GoalRecord | None = None
        self.resumed = self._restore()

    @property
    def mode(self) -> str:
        """Return "llm" when a model reads the messages, "offline" for the parser."""
        return "llm" if self._llm is not None else "offline"

    def handle(self, text: str) -> ManagerReply:
        """Answer one message of the owner."""
        problem: ProviderError | None = None
        turn = LLMTurn(intents=[parse_intent(text)])
        if self._llm is not None and not isinstance(turn.intents[0], Confirm | Cancel):
            try:
                turn = self._llm.read(text, self._history())
            except ProviderError as error:
                problem, turn = error, LLMTurn()
        intents = [
            {"intent": intent_name(i), "args": i.model_dump(mode="json")} for i in turn.intents
        ]
        usage = {"llm": turn.usage} if turn.usage else {}
        self._log.append("owner", text, {"mode": self.mode, "intents": intents, **usage})
        reply = self._answer(text, turn) if problem is None else _provider_failed(problem)
        self._log.append(
            "manager",
            reply.text,
            {
                "intent": reply.intent,
                "data": reply.data,
                "awaiting_confirmation": reply.awaiting_confirmation,
                "pending": self.pending.model_dump(mode="json") if self.pending else None,
            },
        )
        return reply

    def transcript(self) -> list[tuple[str, str]]:
        """Return the stored (role, content) pairs of owner and Manager messages."""
        return [(m.role, m.content) for m in self._log.messages() if m.role in _SPOKEN]

    # -- reading ----------------------------------------------------------------------------

    def _answer(self, text: str, turn: LLMTurn) -> ManagerReply:
        if not turn.intents:
            if turn.text:
                return ManagerReply(text=turn.text, intent="conversation")
            return self._not_understood(NotUnderstood(reason="I could not read that"))
        replies = []
        for intent in turn.intents:
            replies.append(self._one(text, intent))
            if replies[-1].awaiting_confirmation:
                break
        if len(replies) == 1 and not turn.text:
            return replies[0]
        parts = ([turn.text] if turn.text else []) + [r.text for r in replies]
        return ManagerReply(
            text="\n\n".join(parts),
            data={"steps": [r.model_dump() for r in replies]},
            awaiting_confirmation=replies[-1].awaiting_confirmation,
            intent="+".join(r.intent for r in replies),
        )

    def _one(self, text: str, intent: AnyIntent) -> ManagerReply:
        name = intent_name(intent)
        if isinstance(intent, Confirm):
            return self._confirm()
        if isinstance(intent, Cancel):
            return self._cancel()
        if isinstance(intent, AdjustGoal) and self.pending and self.pending.kind == "set_goal":
            return self._adjust(text, intent)
        aside = self._set_aside()
        try:
            reply = self._act(text, intent)
        except ToolFailed as failure:
            reply = failure.reply(name)
        if aside:
            reply.text = f"(I set aside the earlier request: {aside})\n{reply.text}"
        return reply

    def _act(self, text: str, intent: AnyIntent) -> ManagerReply:
        if isinstance(intent, SetGoal):
            return self._propose_goal(text, intent)
        if isinstance(intent, AdjustGoal):
            return self._adjust(text, intent)
        if isinstance(intent, LOOKS):
            return look(self.tools, self._log, intent)
        if isinstance(intent, RunCampaign):
            return self._run(intent)
        if isinstance(intent, Approve):
            return self._ask_or_reply(ask_approve(self.tools, self._log, intent), "approve")
        if isinstance(intent, Reject):
            return reject(self.tools, self._log, intent)
        if isinstance(intent, Rollback):
            return self._ask_or_reply(ask_rollback(self.tools, self._log, intent), "rollback")
        if isinstance(intent, ShowHelp):
            return ManagerReply(text=help_text(), intent="help")
        if isinstance(intent, Greet):
            return ManagerReply(text=GREETING, intent="greet")
        if isinstance(intent, Thank):
            return ManagerReply(text="You're welcome. Tell me what's next.", intent="thank")
        assert isinstance(intent, NotUnderstood)
        return self._not_understood(intent)

    def _not_understood(self, intent: NotUnderstood) -> ManagerReply:
        text = f"I'm not sure what you mean: {intent.reason}. I have changed nothing."
        if intent.suggestion:
            text += f"\nThe closest thing I understand is: \"{intent.suggestion}\""
        if intent.examples:
            text += "\nYou can say, for example:\n" + examples_text(intent.examples)
        data = {
            "understood": False,
            "reason": intent.reason,
            "examples": intent.examples,
            "suggestion": intent.suggestion,
        }
        return ManagerReply(text=text, data=data, intent="not_understood")

    # -- goals ------------------------------------------------------------------------------

    def _propose_goal(self, text: str, intent: SetGoal) -> ManagerReply:
        try:
            spec = intent.to_spec(text)
        except (ValidationError, ValueError) as error:
            return self._goal_problem(error)
        pending = PendingAction(kind="set_goal", spec=spec, question=spec.summary())
        return self._ask(pending, "Here is the goal as I understand it:", "set_goal")

    def _adjust(self, text: str, intent: AdjustGoal) -> ManagerReply:
        base = self.pending.spec if self.pending and self.pending.spec else self._current_spec()
        if base is None:
            return self._not_understood(
                NotUnderstood(
                    reason="there is no goal to adjust yet; tell me a goal first",
                    examples=list(GOAL_EXAMPLES[:3]),
                )
            )
        try:
            spec = intent.apply(base, text=f"{base.text}; {text}" if base.text else text)
        except (ValidationError, ValueError) as error:
            return self._goal_problem(error)
        pending = PendingAction(kind="set_goal", spec=spec, question=spec.summary())
        return self._ask(pending, "Here is the adjusted goal:", "adjust_goal")

    def _current_spec(self) -> GoalSpec | None:
        if self.goal is None:
            self.goal = call_tool(self._log, "status", self.tools.status).goal
        return self.goal.spec if self.goal else None

    def _goal_problem(self, error: Exception) -> ManagerReply:
        problems = problems_of(error)
        text = (
            "I could not turn that into a goal, so nothing was saved:\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\nCould you say it differently? For example:\n"
            + examples_text(GOAL_EXAMPLES[:3])
        )
        data = {"understood": False, "problems": problems}
        return ManagerReply(text=text, data=data, intent="not_understood")

    # -- campaigns and decisions ------------------------------------------------------------

    def _run(self, intent: RunCampaign) -> ManagerReply:
        self._current_spec()
        if self.goal is None:
            return self._not_understood(
                NotUnderstood(
                    reason="there is no goal yet, so there is nothing to run a campaign for",
                    examples=list(GOAL_EXAMPLES[:3]),
                )
            )
        return run_campaign(self.tools, self._log, self.goal, intent)

    def _ask_or_reply(self, outcome: ManagerReply | PendingAction, intent: str) -> ManagerReply:
        if isinstance(outcome, ManagerReply):
            return outcome
        return self._ask(outcome, "", intent)

    # -- confirmation -----------------------------------------------------------------------

    def _ask(self, pending: PendingAction, intro: str, intent: str) -> ManagerReply:
        self.pending = pending
        text = "\n".join(part for part in (intro, pending.question, CONFIRM_HINT) if part)
        data: dict[str, Any] = {"pending": pending.model_dump(mode="json")}
        return ManagerReply(text=text, data=data, awaiting_confirmation=True, intent=intent)

    def _set_aside(self) -> str | None:
        if self.pending is None:
            return None
        aside = self.pending.question.splitlines()[0]
        self.pending = None
        return aside

    def _cancel(self) -> ManagerReply:
        if self.pending is None:
            return ManagerReply(text="There is nothing to cancel.", intent="cancel")
        pending, self.pending = self.pending, None
        self._log.decision(
            f"owner declined: {pending.question.splitlines()[0]}",
            {"action": f"cancel_{pending.kind}", "pending": pending.model_dump(mode="json")},
        )
        return ManagerReply(text="Cancelled. Nothing was changed.", intent="cancel")

    def _confirm(self) -> ManagerReply:
        if self.pending is None:
            return ManagerReply(text="Nothing is waiting for your confirmation.", intent="confirm")
        pending, self.pending = self.pending, None
        try:
            done = execute(self.tools, self._log, pending)
        except ToolFailed as failure:
            self._log.decision(
                f"owner confirmed {pending.kind}, which failed: {failure.error.message}",
                {"action": pending.kind, "outcome": "failed", "error": failure.error.to_dict()},
            )
            return failure.reply(pending.kind)
        self.goal = done.goal or self.goal
        self._log.decision(done.summary, {"action": pending.kind, **done.evidence})
        return ManagerReply(text=done.text, data=done.evidence, intent=pending.kind)

    # -- resuming ---------------------------------------------------------------------------

    def _restore(self) -> bool:
        messages = self._log.messages()
        for message in messages:
            data = message.data
            if message.role == "tool" and data.get("tool") == "set_goal" and data.get("ok"):
                self.goal = GoalRecord.model_validate(data["result"])
            if message.role == "manager":
                pending = data.get("pending")
                self.pending = PendingAction.model_validate(pending) if pending else None
        return bool(messages)

    def _history(self) -> list[BaseMessage]:
        history: list[BaseMessage] = []
        for message in self._log.messages():
            if message.role == "owner":
                history.append(HumanMessage(message.content))
            elif message.role == "manager":
                history.append(AIMessage(message.content))
        return history


_SPOKEN = frozenset({"owner", "manager"})


def _provider_failed(error: ProviderError) -> ManagerReply:
    text = f"I could not reach my language model, so I did nothing: {error.message}."
    if error.hint:
        text += f" {error.hint}"
    return ManagerReply(text=text, data={"error": error.to_dict()}, intent="provider_error")

"""What the Manager answers, what it waits for, and how a tool call is made on the record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from selflearn.agents.manager._goal import GoalSpec
from selflearn.agents.manager._log import ConversationLog
from selflearn.errors import SelflearnError

T = TypeVar("T")


class ManagerReply(BaseModel):
    """One answer of the Manager: the text, structured data, and whether it awaits a yes/no."""

    model_config = ConfigDict(extra="forbid")

    text: str
    data: dict[str, Any] = Field(default_factory=dict)
    awaiting_confirmation: bool = False
    intent: str = ""


class PendingAction(BaseModel):
    """An action the owner has to confirm before it runs."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["set_goal", "approve", "rollback"]
    question: str
    spec: GoalSpec | None = None
    proposal_id: int | None = None
    note: str | None = None
    reason: str | None = None


class ToolFailed(Exception):
    """A tool raised a project error; the Manager turns it into a plain reply."""

    def __init__(self, tool: str, error: SelflearnError) -> None:
        super().__init__(error.message)
        self.tool = tool
        self.error = error

    def reply(self, intent: str) -> ManagerReply:
        """Return the error as a reply that says what went wrong and what to do."""
        text = f"That did not work: {self.error.message}."
        if self.error.hint:
            text += f" {self.error.hint}"
        return ManagerReply(text=text, data={"error": self.error.to_dict()}, intent=intent)


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def call_tool(log: ConversationLog, name: str, run: Callable[[], T], **args: Any) -> T:
    """Run one tool call and store it (arguments, result or error) in the conversation."""
    stored_args = {key: _json(value) for key, value in args.items()}
    try:
        result = run()
    except SelflearnError as error:
        log.append(
            "tool", name, {"tool": name, "args": stored_args, "ok": False, "error": error.to_dict()}
        )
        raise ToolFailed(name, error) from error
    log.append(
        "tool", name, {"tool": name, "args": stored_args, "ok": True, "result": _json(result)}
    )
    return result

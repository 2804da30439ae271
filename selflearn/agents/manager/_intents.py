"""What the owner can ask for, as typed intents; the tool-bearing ones double as LLM tools."""

from __future__ import annotations

from typing import Any, ClassVar

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from selflearn.agents.manager._draft import GoalAmendment, GoalDraft


class Intent(BaseModel):
    """Base of every intent; `tool` is its name when a model calls it."""

    model_config = ConfigDict(extra="forbid")
    tool: ClassVar[str] = ""


class SetGoal(GoalDraft):
    """Set or change the goal: metrics to improve, guardrails, scope, factors, autonomy."""

    tool: ClassVar[str] = "set_goal"


class AdjustGoal(GoalAmendment):
    """Adjust the current goal's factors, autonomy or watched metrics, keeping its targets."""

    tool: ClassVar[str] = "adjust_goal"


class RunCampaign(Intent):
    """Run an experiment campaign for the current goal."""

    tool: ClassVar[str] = "run_campaign"
    budget: int | None = Field(default=None, ge=1, le=100_000, description="episode budget")
    seed: int | None = Field(default=None, ge=0, description="seed for a repeatable campaign")
    scenarios: list[str] | None = Field(default=None, description="scenario ids to use")


class ShowStatus(Intent):
    """Show where things stand: goal, active version, last campaign, pending proposals."""

    tool: ClassVar[str] = "status"


class ExplainVersion(Intent):
    """Explain why a parameter version exists or is active (none given: the active one)."""

    tool: ClassVar[str] = "explain_version"
    version: str | None = Field(default=None, description="version number, e.g. '7'")


class ListProposals(Intent):
    """List the proposals waiting for the owner's decision."""

    tool: ClassVar[str] = "list_proposals"


class Approve(Intent):
    """Approve a pending proposal (asks the owner to confirm first)."""

    tool: ClassVar[str] = "approve"
    proposal_id: int = Field(ge=1)
    note: str | None = None


class Reject(Intent):
    """Reject a pending proposal."""

    tool: ClassVar[str] = "reject"
    proposal_id: int = Field(ge=1)
    note: str | None = None


class Rollback(Intent):
    """Roll the active parameter version back (asks the owner to confirm first)."""

    tool: ClassVar[str] = "rollback"
    reason: str = Field(min_length=1, description="why, in the owner's words")


class ShowReport(Intent):
    """Report what a campaign tested, what changed and what to try next."""

    tool: ClassVar[str] = "report"
    campaign_id: str | None = Field(default=None, description="none: the latest campaign")


class ShowHelp(Intent):
    """Show what the Manager understands, with example phrasings."""

    tool: ClassVar[str] = "help"


class Greet(Intent):
    """The owner says hello; the Manager introduces itself and what it can do."""


class Thank(Intent):
    """The owner says thanks; the Manager answers briefly and changes nothing."""


class Confirm(Intent):
    """The owner says yes to what the Manager asked."""


class Cancel(Intent):
    """The owner says no to what the Manager asked."""


class NotUnderstood(Intent):
    """The Manager did not understand; it changes nothing and asks back."""

    reason: str
    examples: list[str] = Field(default_factory=list)
    #: The phrasing the Manager understands that comes closest to what was said.
    suggestion: str | None = None


AnyIntent = (
    SetGoal
    | AdjustGoal
    | RunCampaign
    | ShowStatus
    | ExplainVersion
    | ListProposals
    | Approve
    | Reject
    | Rollback
    | ShowReport
    | ShowHelp
    | Greet
    | Thank
    | Confirm
    | Cancel
    | NotUnderstood
)

TOOL_INTENTS: dict[str, type[BaseModel]] = {
    cls.tool: cls
    for cls in (
        SetGoal,
        AdjustGoal,
        RunCampaign,
        ShowStatus,
        ExplainVersion,
        ListProposals,
        Approve,
        Reject,
        Rollback,
        ShowReport,
        ShowHelp,
    )
}


def intent_name(intent: BaseModel) -> str:
    """Return the name an intent is recorded under (its tool name, or its class)."""
    tool = getattr(intent, "tool", "")
    return tool or type(intent).__name__.lower()


def tool_specs() -> list[dict[str, Any]]:
    """Return the OpenAI tool definitions of every tool-bearing intent."""
    specs = []
    for name, cls in TOOL_INTENTS.items():
        spec = convert_to_openai_tool(cls)
        spec["function"]["name"] = name
        spec["function"]["description"] = (cls.__doc__ or name).strip().splitlines()[0]
        specs.append(spec)
    return specs

"""Request and response bodies of the owner API (campaigns, approvals, versions, chat...).

Every bound is declared in the schema, not only checked in code, so a client (and a fuzzer)
reads from /openapi.json what the server accepts.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

__all__ = [
    "MAX_ID",
    "MAX_OFFSET",
    "Approval",
    "ApprovalDecision",
    "ApprovalList",
    "CampaignAccepted",
    "CampaignDetail",
    "CampaignItem",
    "CampaignList",
    "CampaignStatus",
    "ChatMessage",
    "ChatReply",
    "Conversation",
    "CostDay",
    "CostReport",
    "CostVersion",
    "Decided",
    "GoalItem",
    "GoalList",
    "GoalText",
    "HitRateDay",
    "HitRateReport",
    "LatencyReport",
    "Me",
    "NewToken",
    "ResumeCampaign",
    "StageLatency",
    "StartCampaign",
    "TokenInfo",
    "TokenList",
    "VersionAction",
    "VersionDetail",
    "VersionDiff",
    "VersionItem",
    "VersionList",
    "RollbackRequest",
]


def _no_text_or_bool(cls: Any, value: Any) -> Any:
    # "5" and true are not numbers; 5 and 5.0 are (JSON Schema's integer counts 5.0).
    if isinstance(value, str | bool):
        raise ValueError("a whole number is expected, not text or true/false")
    return value


#: Bounds of every id and page parameter: inside PostgreSQL's integer and bigint ranges.
MAX_ID = 2_147_483_647
MAX_OFFSET = 1_000_000
CampaignStatus = Literal["running", "awaiting_approval", "completed", "failed", "interrupted"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _text(description: str, max_length: int = 2000) -> Any:
    return Field(min_length=1, max_length=max_length, description=description)


# -- campaigns ---------------------------------------------------------------------------


class StartCampaign(_Body):
    """A campaign to start: the goal in plain words, its episode budget and seed."""

    _numbers = field_validator("budget", "seed", "holdout_seeds", mode="before")(_no_text_or_bool)

    goal: str = _text("The goal, e.g. 'cut hallucinations below 5 % without losing recall'.")
    budget: int = Field(40, ge=2, le=2000, description="Episodes the experiments may use.")
    seed: int = Field(0, ge=0, le=MAX_ID, description="Seed of every random choice.")
    holdout_seeds: int = Field(2, ge=1, le=20, description="Seeds per held-out scenario.")


class ResumeCampaign(_Body):
    """Continue a campaign; `approve` decides a proposal it waits for at the same time."""

    approve: StrictBool | None = Field(None, description="Approve (true) or reject (false).")
    note: str | None = Field(None, max_length=2000, description="Kept with the decision.")


class CampaignItem(BaseModel):
    """One campaign in a list."""

    campaign_id: str
    status: str
    started_at: str
    finished_at: str | None = None
    seed: int
    budget: int | None = None
    goal: str | None = None


class CampaignList(BaseModel):
    """A page of campaigns, newest first."""

    items: list[CampaignItem]
    total: int
    limit: int
    offset: int


class CampaignAccepted(BaseModel):
    """A campaign now driven in the background; follow it at `events`."""

    campaign_id: str
    status: str
    events: str = Field(description="URL of its server-sent progress events.")
    progress: dict[str, Any]


class CampaignDetail(BaseModel):
    """A campaign: status, options, live progress, experiments with their looks, report."""

    campaign_id: str
    status: str
    started_at: str
    config: dict[str, Any]
    progress: dict[str, Any] | None = None
    waiting_for: dict[str, Any] | None = None
    experiments: list[dict[str, Any]]
    report: dict[str, Any] | None = None


# -- approvals ---------------------------------------------------------------------------


class ApprovalDecision(_Body):
    """Approve or reject with a reason (kept in the change log)."""

    reason: str = _text("Why you decide so.")


class Approval(BaseModel):
    """A proposal with the evidence behind it."""

    id: int
    kind: str
    status: str
    why: str
    payload: dict[str, Any]
    experiment_id: str | None = None
    campaign_id: str | None = None
    created_at: str
    decided_at: str | None = None
    decided_by: str | None = None
    decision_note: str | None = None
    evidence: dict[str, Any] | None = Field(
        None, description="The experiment: hypothesis, verdict, deltas with intervals."
    )


class ApprovalList(BaseModel):
    """Proposals, oldest first."""

    items: list[Approval]


class Decided(BaseModel):
    """A decided proposal, the version it made active, and the campaign that goes on."""

    proposal: Approval
    version: int | None = None
    resumed_campaign: str | None = None


# -- versions ----------------------------------------------------------------------------


class VersionItem(BaseModel):
    """One parameter version and what it changed from its parent."""

    id: str
    version: int
    status: str
    parent_version: int | None = None
    experiment_id: str | None = None
    variant: str | None = None
    reason: str
    initiated_by: str
    created_at: str
    activated_at: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)


class VersionList(BaseModel):
    """Parameter versions, newest first."""

    items: list[VersionItem]
    total: int


class VersionDetail(BaseModel):
    """A version's values and its explanation chain back to the root."""

    version: VersionItem
    params: dict[str, Any]
    chain: list[dict[str, Any]]


class VersionDiff(BaseModel):
    """The factors that differ between two versions."""

    from_version: int
    to_version: int
    changes: list[dict[str, Any]]


class VersionAction(_Body):
    """Why (kept in the change log)."""

    reason: str = _text("Why you activate this version.")


class RollbackRequest(_Body):
    """Roll the active version back to its parent, or to `to`."""

    _numbers = field_validator("to", mode="before")(_no_text_or_bool)

    reason: str = _text("Why you roll back.")
    to: int | None = Field(None, ge=1, le=MAX_ID, description="Version number to return to.")


# -- chat and goals ----------------------------------------------------------------------


class ChatMessage(_Body):
    """One message to the Manager, in a conversation (a new one without an id)."""

    message: str = _text("What you say to the Manager.", 4000)
    conversation_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The conversation to continue.",
    )


class ChatReply(BaseModel):
    """The Manager's answer, what it waits for, and the tools it called for it."""

    conversation_id: str
    text: str
    intent: str
    awaiting_confirmation: bool
    pending: dict[str, Any] | None = None
    tools: list[dict[str, Any]]
    data: dict[str, Any]


class Conversation(BaseModel):
    """Every message of a conversation, oldest first (owner, manager, tool, decision)."""

    conversation_id: str
    messages: list[dict[str, Any]]
    pending: dict[str, Any] | None = None


class GoalText(_Body):
    """A goal in plain words."""

    text: str = _text("e.g. 'raise recall by 5 % without raising latency'")


class GoalItem(BaseModel):
    """A goal as said and as the typed spec the Manager made of it."""

    id: str | None = None
    text: str
    status: str
    summary: str
    spec: dict[str, Any]
    created_at: str | None = None


class GoalList(BaseModel):
    """Goals, newest first."""

    items: list[GoalItem]


# -- telemetry ---------------------------------------------------------------------------


class StageLatency(BaseModel):
    """Latency of one pipeline stage over the window."""

    stage: str
    count: int
    p50_ms: float | None
    p95_ms: float | None


class LatencyReport(BaseModel):
    """p50/p95 latency per stage over the last `window_minutes`."""

    window_minutes: int
    stages: list[StageLatency]


class HitRateDay(BaseModel):
    """Mean retrieval hit rate of one day's turns."""

    day: str
    turns: int
    hit_rate: float | None


class HitRateReport(BaseModel):
    """Hit rate per day over the last `days`."""

    days: int
    items: list[HitRateDay]


class CostDay(BaseModel):
    """Tokens and cost of one day's turns."""

    day: str
    turns: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class CostVersion(BaseModel):
    """Tokens and cost of the turns answered on one parameter version."""

    version: int | None
    turns: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class CostReport(BaseModel):
    """Tokens and cost per day and per version over the last `days`."""

    days: int
    per_day: list[CostDay]
    per_version: list[CostVersion]


# -- tokens ------------------------------------------------------------------------------


class Me(BaseModel):
    """Who the caller is."""

    name: str
    role: str
    token_id: str


class NewToken(_Body):
    """A token to make."""

    role: Literal["viewer", "operator", "admin", "service"]
    name: str = Field("", max_length=100)


class TokenInfo(BaseModel):
    """A token's public facts; `token` only in the answer that made it."""

    id: str
    name: str
    role: str
    prefix: str
    created_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None
    token: str | None = Field(None, description="The secret: shown once, never again.")


class TokenList(BaseModel):
    """Tokens that are not revoked."""

    items: list[TokenInfo]

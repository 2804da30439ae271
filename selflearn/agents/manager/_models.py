"""What the Manager's tools return: small, JSON-ready summaries and the campaign report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from selflearn.agents.manager._goal import GoalSpec
from selflearn.tuner import ParamChange

Verdict = Literal["winner", "loser", "inconclusive"]
ProposalStatus = Literal["pending", "approved", "rejected", "expired"]


class _Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalRecord(_Summary):
    """A saved goal."""

    id: str
    text: str
    spec: GoalSpec
    status: str = "active"
    created_at: datetime | None = None


class CampaignSummary(_Summary):
    """What one campaign run did, in counts; `report` gives the detail."""

    campaign_id: str
    goal_id: str | None = None
    status: Literal["finished", "awaiting_approval", "paused", "failed", "running"] = "finished"
    episodes: int = 0
    experiments: int = 0
    winners: int = 0
    losers: int = 0
    inconclusive: int = 0
    activated_version: int | None = None
    pending_proposals: int = 0
    offline: bool = True
    message: str = ""


class StatusSummary(_Summary):
    """Where things stand: the goal, the active version, the last campaign, what waits."""

    goal: GoalRecord | None = None
    active_version: int | None = None
    active_params: dict[str, Any] = Field(default_factory=dict)
    last_campaign: CampaignSummary | None = None
    pending_proposals: int = 0
    recent_metrics: dict[str, float] = Field(default_factory=dict)
    offline: bool = True
    notes: list[str] = Field(default_factory=list)


class ProposalSummary(_Summary):
    """A change waiting for (or past) the owner's decision."""

    id: int
    kind: str = "update_params"
    summary: str
    changes: list[ParamChange] = Field(default_factory=list)
    status: ProposalStatus = "pending"
    why_approval: str = Field(default="", description="why the change needs the owner")
    experiment_id: str | None = None
    campaign_id: str | None = None
    created_at: datetime | None = None


class ReportedDelta(_Summary):
    """How one metric moved from baseline to variant, with its confidence interval."""

    metric: str
    effect: float = Field(description="variant minus baseline, in the metric's unit")
    ci_low: float | None = None
    ci_high: float | None = None
    baseline: float | None = None
    variant: float | None = None
    role: Literal["primary", "guardrail", "side_effect"] = "primary"
    significant: bool | None = None


class ExperimentOutcome(_Summary):
    """One experiment: the hypothesis, what was varied, the verdict and the deltas."""

    experiment_id: str
    hypothesis: str
    rationale: str = Field(default="", description="why it was tested, when known apart")
    changes: list[ParamChange] = Field(default_factory=list)
    verdict: Verdict
    variant: str | None = Field(default=None, description="the winning arm, when one won")
    deltas: list[ReportedDelta] = Field(default_factory=list)
    episodes: int | None = None
    more_episodes_needed: int | None = None
    note: str = ""
    judge: str = Field(
        default="", description="the judge's agreement with the metrics (which decide)"
    )


class VersionChange(_Summary):
    """A parameter version that was activated (or rolled back) and why."""

    version: int
    previous_version: int | None = None
    action: Literal["activated", "rolled_back"] = "activated"
    reason: str
    experiment_id: str | None = None
    changes: list[ParamChange] = Field(default_factory=list)


class CampaignReport(_Summary):
    """Everything a campaign learned, for `render_report`."""

    campaign_id: str
    goal: str = Field(default="", description="the goal in plain words")
    experiments: list[ExperimentOutcome] = Field(default_factory=list)
    changes: list[VersionChange] = Field(default_factory=list)
    rejected_hypotheses: list[str] = Field(default_factory=list)
    untested: list[str] = Field(
        default_factory=list, description="allowed factors left out, each with the reason"
    )
    pending_proposals: list[ProposalSummary] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    holdout: list[ReportedDelta] = Field(
        default_factory=list, description="start vs end version on held-out scenarios"
    )
    holdout_note: str = ""
    holdout_by_scenario: dict[str, dict[str, float | None]] = Field(
        default_factory=dict, description="primary metric before/after per held-out scenario"
    )
    guardrails: str = Field(default="", description="the goal's guardrails in plain words")
    offline: bool = True
    models: dict[str, str] = Field(
        default_factory=dict, description="provider and model of each role"
    )
    usage: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="calls, errors, retries, tokens and cost per role"
    )
    stop_reason: str = Field(default="", description="why experiments stopped early")
    started_at: datetime | None = None
    finished_at: datetime | None = None

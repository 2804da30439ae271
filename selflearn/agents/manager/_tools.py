"""The tools the Manager acts through; the campaign graph implements them.

The Manager never changes parameters itself: every effect on the world goes through one of
these methods. Implementations raise the project's errors (`NotFoundError` for an unknown
proposal or campaign, `ConflictError` for one already decided, `RuleViolation` when the
Tuner refuses); the Manager turns them into plain replies.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from selflearn.agents.manager._goal import GoalSpec
from selflearn.agents.manager._models import (
    CampaignReport,
    CampaignSummary,
    GoalRecord,
    ProposalSummary,
    StatusSummary,
)


@runtime_checkable
class ManagerTools(Protocol):
    """Everything the Manager may do."""

    def set_goal(self, spec: GoalSpec) -> GoalRecord:
        """Save a confirmed goal and make it the current one."""
        ...

    def run_campaign(
        self, goal_id: str, budget: int | None, seed: int | None, scenarios: list[str] | None
    ) -> CampaignSummary:
        """Run a campaign for a goal; `budget` is the episode budget, None the default."""
        ...

    def status(self) -> StatusSummary:
        """Return where things stand."""
        ...

    def explain_version(self, version: str | None) -> str:
        """Explain a parameter version (None: the active one) in plain words."""
        ...

    def list_proposals(self) -> list[ProposalSummary]:
        """Return the proposals, pending ones first."""
        ...

    def approve(self, proposal_id: int, note: str | None) -> str:
        """Approve a pending proposal; return what happened."""
        ...

    def reject(self, proposal_id: int, note: str | None) -> str:
        """Reject a pending proposal; return what happened."""
        ...

    def rollback(self, reason: str) -> str:
        """Roll the active version back to the previous one; return what happened."""
        ...

    def report(self, campaign_id: str | None) -> CampaignReport:
        """Return the report of a campaign (None: the latest)."""
        ...

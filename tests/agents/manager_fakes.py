"""An in-memory `ManagerTools` for the Manager's tests: same errors as the real tools."""

from __future__ import annotations

from typing import Any

from selflearn.agents.manager import (
    CampaignReport,
    CampaignSummary,
    ExperimentOutcome,
    GoalRecord,
    GoalSpec,
    ProposalSummary,
    ReportedDelta,
    StatusSummary,
    VersionChange,
)
from selflearn.errors import ConflictError, NotFoundError
from selflearn.tuner import ParamChange


def sample_report(campaign_id: str = "c-1", *, offline: bool = True) -> CampaignReport:
    """Return a report with a winner, an inconclusive experiment and a rejected hypothesis."""
    return CampaignReport(
        campaign_id=campaign_id,
        goal="bring down hallucination rate to 3 % or less",
        experiments=[
            ExperimentOutcome(
                experiment_id="min_relevance_0_vs_0.3",
                hypothesis="dropping weak memories stops the responder from guessing",
                changes=[
                    ParamChange.model_validate(
                        {"param": "retrieval.min_relevance", "from": 0.0, "to": 0.3}
                    )
                ],
                verdict="winner",
                episodes=40,
                deltas=[
                    ReportedDelta(
                        metric="hallucination_rate", effect=-0.021, ci_low=-0.030, ci_high=-0.012
                    ),  # fmt: skip
                    ReportedDelta(
                        metric="recall",
                        effect=-0.004,
                        ci_low=-0.011,
                        ci_high=0.003,
                        role="guardrail",
                    ),  # fmt: skip
                    ReportedDelta(
                        metric="latency_ms_p95",
                        effect=1.5,
                        ci_low=-0.5,
                        ci_high=3.5,
                        role="side_effect",
                    ),  # fmt: skip
                ],
            ),
            ExperimentOutcome(
                experiment_id="temperature_0.2_vs_0",
                hypothesis="a colder responder invents less",
                changes=[
                    ParamChange.model_validate(
                        {"param": "responder.temperature", "from": 0.2, "to": 0.0}
                    )
                ],
                verdict="inconclusive",
                episodes=40,
                more_episodes_needed=60,
                deltas=[
                    ReportedDelta(
                        metric="hallucination_rate", effect=-0.004, ci_low=-0.012, ci_high=0.004
                    )
                ],  # fmt: skip
            ),
        ],
        changes=[
            VersionChange(
                version=8,
                previous_version=7,
                reason="min_relevance 0.3 cut hallucinations by 2.1 pts at no recall cost",
                experiment_id="min_relevance_0_vs_0.3",
                changes=[
                    ParamChange.model_validate(
                        {"param": "retrieval.min_relevance", "from": 0.0, "to": 0.3}
                    )
                ],
            )
        ],
        rejected_hypotheses=["a larger top_k lowers hallucinations (it raised them)"],
        next_steps=["try the v2-grounded prompt", "rerun temperature with 60 more episodes"],
        offline=offline,
    )


class FakeTools:
    """Goals, campaigns, proposals and versions kept in lists, with every call recorded."""

    def __init__(self, *, active_version: int | None = 7) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.goals: list[GoalRecord] = []
        self.campaigns: list[CampaignSummary] = []
        self.reports: dict[str, CampaignReport] = {}
        self.active_version = active_version
        self.versions: dict[int, str] = {7: "the owner's defaults, active since setup"}
        self.proposals: dict[int, ProposalSummary] = {}

    def add_proposal(self, proposal_id: int, *, status: str = "pending") -> ProposalSummary:
        """Add a proposal as a campaign would."""
        proposal = ProposalSummary.model_validate(
            {
                "id": proposal_id,
                "summary": "switch to the v2-grounded prompt",
                "changes": [
                    {
                        "param": "responder.system_prompt_version",
                        "before": "v1",
                        "after": "v2-grounded",
                    }  # fmt: skip
                ],
                "status": status,
                "why_approval": "the prompt is in the manual zone of this goal",
            }
        )
        self.proposals[proposal_id] = proposal
        return proposal

    def set_goal(self, spec: GoalSpec) -> GoalRecord:
        self.calls.append(("set_goal", {"spec": spec}))
        record = GoalRecord(id=f"goal-{len(self.goals) + 1}", text=spec.text, spec=spec)
        self.goals.append(record)
        return record

    def run_campaign(
        self, goal_id: str, budget: int | None, seed: int | None, scenarios: list[str] | None
    ) -> CampaignSummary:
        self.calls.append(
            ("run_campaign",
             {"goal_id": goal_id, "budget": budget, "seed": seed, "scenarios": scenarios})
        )  # fmt: skip
        if goal_id not in {g.id for g in self.goals}:
            raise NotFoundError(f"no goal {goal_id}", hint="Set a goal first.")
        campaign_id = f"c-{len(self.campaigns) + 1}"
        summary = CampaignSummary(
            campaign_id=campaign_id, goal_id=goal_id, episodes=budget or 40, experiments=2,
            winners=1, inconclusive=1, activated_version=8, pending_proposals=1,
        )  # fmt: skip
        self.campaigns.append(summary)
        self.reports[campaign_id] = sample_report(campaign_id)
        self.active_version = 8
        self.versions[8] = "min_relevance 0.3 won experiment min_relevance_0_vs_0.3"
        self.add_proposal(len(self.proposals) + 1)
        return summary

    def status(self) -> StatusSummary:
        self.calls.append(("status", {}))
        return StatusSummary(
            goal=self.goals[-1] if self.goals else None,
            active_version=self.active_version,
            last_campaign=self.campaigns[-1] if self.campaigns else None,
            pending_proposals=sum(p.status == "pending" for p in self.proposals.values()),
            recent_metrics={"hallucination_rate": 0.05, "recall": 0.71},
        )

    def explain_version(self, version: str | None) -> str:
        self.calls.append(("explain_version", {"version": version}))
        number = self.active_version if version is None else int(version)
        if number is None or number not in self.versions:
            raise NotFoundError(f"there is no parameter version {version}")
        return f"Version {number}: {self.versions[number]}."

    def list_proposals(self) -> list[ProposalSummary]:
        self.calls.append(("list_proposals", {}))
        return sorted(self.proposals.values(), key=lambda p: (p.status != "pending", p.id))

    def _decide(self, proposal_id: int, status: str) -> ProposalSummary:
        proposal = self.proposals.get(proposal_id)
        if proposal is None:
            raise NotFoundError(f"there is no proposal #{proposal_id}",
                                hint="Say 'list proposals' to see them.")  # fmt: skip
        if proposal.status != "pending":
            raise ConflictError(f"proposal #{proposal_id} is already {proposal.status}")
        decided = proposal.model_copy(update={"status": status})
        self.proposals[proposal_id] = decided
        return decided

    def approve(self, proposal_id: int, note: str | None) -> str:
        self.calls.append(("approve", {"proposal_id": proposal_id, "note": note}))
        self._decide(proposal_id, "approved")
        self.active_version = (self.active_version or 0) + 1
        self.versions[self.active_version] = f"approved proposal #{proposal_id}"
        return f"Proposal #{proposal_id} approved; version {self.active_version} is now active."

    def reject(self, proposal_id: int, note: str | None) -> str:
        self.calls.append(("reject", {"proposal_id": proposal_id, "note": note}))
        self._decide(proposal_id, "rejected")
        return f"Proposal #{proposal_id} rejected."

    def rollback(self, reason: str) -> str:
        self.calls.append(("rollback", {"reason": reason}))
        if self.active_version is None:
            raise ConflictError("no version is active")
        previous = self.active_version - 1
        self.active_version = previous
        return f"Rolled back to version {previous}."

    def report(self, campaign_id: str | None) -> CampaignReport:
        self.calls.append(("report", {"campaign_id": campaign_id}))
        if campaign_id is None and self.campaigns:
            campaign_id = self.campaigns[-1].campaign_id
        if campaign_id is None or campaign_id not in self.reports:
            raise NotFoundError(f"there is no campaign {campaign_id or 'yet'}",
                                hint="Run a campaign first.")  # fmt: skip
        return self.reports[campaign_id]

    def names(self) -> list[str]:
        """Return the names of the calls made so far, in order."""
        return [name for name, _ in self.calls]

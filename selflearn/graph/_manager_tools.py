"""The Manager's tools, backed by the store, the Tuner and the campaign runner."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from selflearn.agents.manager import (
    CampaignReport,
    CampaignSummary,
    GoalRecord,
    GoalSpec,
    ProposalSummary,
    StatusSummary,
)
from selflearn.errors import NotFoundError
from selflearn.graph._runner import CampaignOptions, CampaignOutcome, CampaignRunner
from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign, Goal, Proposal
from selflearn.tuner import (
    ParamChange,
    active_version,
    approve_proposal,
    explain,
    get_version,
    list_proposals,
    reject_proposal,
    rollback,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _goal_record(row: Goal) -> GoalRecord:
    return GoalRecord(
        id=str(row.id),
        text=row.text,
        spec=GoalSpec.model_validate(row.spec),
        status=row.status,
        created_at=row.created_at,
    )


def _proposal_summary(row: Proposal) -> ProposalSummary:
    changes = [
        ParamChange.model_validate(
            {"param": c.get("param", ""), "from": c.get("from"), "to": c.get("to")}
        )
        for c in row.payload.get("changes", [])
    ]
    return ProposalSummary(
        id=row.id,
        kind=row.kind,
        summary=row.reason or row.payload.get("reason", ""),
        changes=changes,
        status=row.status,  # type: ignore[arg-type]
        experiment_id=row.experiment_id,
        campaign_id=row.campaign_id,
        created_at=row.created_at,
    )


def _summary(outcome: CampaignOutcome, goal_id: str | None, offline: bool) -> CampaignSummary:
    experiments = outcome.state.get("experiments", [])
    verdicts = [e["verdict"] for e in experiments]
    status = {"completed": "finished"}.get(outcome.status, outcome.status)
    return CampaignSummary(
        campaign_id=outcome.campaign_id,
        goal_id=goal_id,
        status=status,  # type: ignore[arg-type]
        episodes=len(set(outcome.state.get("episodes_done", []))),
        experiments=len(experiments),
        winners=verdicts.count("winner"),
        losers=verdicts.count("loser"),
        inconclusive=verdicts.count("inconclusive"),
        activated_version=outcome.active_version,
        pending_proposals=1 if outcome.status == "awaiting_approval" else 0,
        offline=offline,
    )


class GraphTools:
    """Implements `ManagerTools`: every effect goes through the Tuner or the campaign graph."""

    def __init__(
        self,
        database: Database,
        runner: CampaignRunner,
        *,
        clock: Callable[[], datetime] = _now,
        default_options: CampaignOptions | None = None,
    ) -> None:
        self.database = database
        self.runner = runner
        self.clock = clock
        self.options = default_options or CampaignOptions()

    def set_goal(self, spec: GoalSpec) -> GoalRecord:
        """Save a confirmed goal and make it the current one."""
        with session_scope(self.database.engine) as session:
            session.execute(update(Goal).where(Goal.status == "active").values(status="replaced"))
            row = Goal(id=uuid.uuid4(), text=spec.text, spec=spec.model_dump(mode="json"))
            session.add(row)
            session.flush()
            return _goal_record(row)

    def goal_campaign(
        self, goal_id: str, budget: int | None, seed: int | None, scenarios: list[str] | None
    ) -> tuple[GoalSpec, CampaignOptions]:
        """Return a saved goal and the options of a campaign for it (the defaults fill in)."""
        with session_scope(self.database.engine) as session:
            row = session.get(Goal, uuid.UUID(goal_id))
            if row is None:
                raise NotFoundError(f"no goal {goal_id}", hint="Set a goal first.")
            spec = GoalSpec.model_validate(row.spec)
        options = replace(
            self.options,
            goal_text=spec.text or self.options.goal_text,
            scenarios=tuple(scenarios) if scenarios else self.options.scenarios,
            budget=budget or self.options.budget,
            seed=self.options.seed if seed is None else seed,
        )
        return spec, options

    def run_campaign(
        self, goal_id: str, budget: int | None, seed: int | None, scenarios: list[str] | None
    ) -> CampaignSummary:
        """Run a campaign for a saved goal."""
        spec, options = self.goal_campaign(goal_id, budget, seed, scenarios)
        outcome = self.runner.start(options, spec=spec, goal_id=goal_id)
        return _summary(outcome, goal_id, self.runner.offline)

    def status(self) -> StatusSummary:
        """Return the current goal, active version, last campaign and pending proposals."""
        with session_scope(self.database.engine) as session:
            goal = session.scalars(
                select(Goal).where(Goal.status == "active").order_by(Goal.created_at.desc())
            ).first()
            active = active_version(session=session)
            last = session.scalars(select(Campaign).order_by(Campaign.started_at.desc())).first()
            pending = len(list_proposals(session=session))
            last_summary = None
            if last is not None:
                status = {"completed": "finished"}.get(last.status, last.status)
                last_summary = CampaignSummary(
                    campaign_id=last.id,
                    status=status,  # type: ignore[arg-type]
                    offline=self.runner.offline,
                )
            return StatusSummary(
                goal=_goal_record(goal) if goal is not None else None,
                active_version=active.version if active is not None else None,
                active_params=dict(active.params) if active is not None else {},
                last_campaign=last_summary,
                pending_proposals=pending,
                offline=self.runner.offline,
            )

    def explain_version(self, version: str | None) -> str:
        """Explain a version (None: the active one): its chain of reasons and experiments."""
        with session_scope(self.database.engine) as session:
            ref = get_version(version, session=session).id if version else None
            return explain(ref, session=session).render()

    def list_proposals(self) -> list[ProposalSummary]:
        """Return every proposal, pending ones first."""
        with session_scope(self.database.engine) as session:
            rows = list_proposals(session=session, status=None)
            summaries = [_proposal_summary(row) for row in rows]
        return sorted(summaries, key=lambda p: (p.status != "pending", p.id))

    def approve(self, proposal_id: int, note: str | None) -> str:
        """Approve a pending proposal: the Tuner applies it as a new active version."""
        with session_scope(self.database.engine) as session:
            result = approve_proposal(proposal_id, session=session, now=self.clock(), note=note)
            proposal = session.get(Proposal, proposal_id)
            campaign = proposal.campaign_id if proposal is not None else None
            number = result.version.version if result.version is not None else None
        text = f"Approved proposal #{proposal_id}: version {number} is now active."
        if campaign:
            text += f" Campaign {campaign} can continue: `selflearn campaign resume {campaign}`."
        return text

    def reject(self, proposal_id: int, note: str | None) -> str:
        """Reject a pending proposal; nothing changes."""
        with session_scope(self.database.engine) as session:
            reject_proposal(proposal_id, session=session, now=self.clock(), note=note)
        return f"Rejected proposal #{proposal_id}; the active version is unchanged."

    def rollback(self, reason: str) -> str:
        """Roll the active version back to its parent."""
        with session_scope(self.database.engine) as session:
            version = rollback(
                session=session, now=self.clock(), reason=reason, initiated_by="owner"
            )
            return f"Rolled back: version {version.version} is active again."

    def report(self, campaign_id: str | None) -> CampaignReport:
        """Return the report of a campaign (None: the latest finished one)."""
        with session_scope(self.database.engine) as session:
            if campaign_id:
                row = session.get(Campaign, campaign_id)
            else:
                row = session.scalars(
                    select(Campaign)
                    .where(Campaign.report.is_not(None))
                    .order_by(Campaign.started_at.desc())
                ).first()
            if row is None or row.report is None:
                raise NotFoundError(
                    f"no finished campaign {campaign_id or ''}".strip(),
                    hint="Run one: say 'run a campaign'.",
                )
            data: dict[str, Any] = dict(row.report)
        return CampaignReport.model_validate(data)

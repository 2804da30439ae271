"""Start and resume campaigns: compile the graph with its checkpointer and drive it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlalchemy import select

from selflearn.agents.manager import GoalSpec
from selflearn.errors import ConflictError, InvalidInputError, NotFoundError, ProviderError
from selflearn.graph._builder import build_campaign_graph
from selflearn.graph._checkpoint import open_checkpointer
from selflearn.graph._context import CampaignContext
from selflearn.graph._ledger import RoleLedger, role_usage
from selflearn.graph._opening import campaign_scenarios, new_campaign
from selflearn.graph._options import CampaignOptions
from selflearn.maas import StudentClient
from selflearn.simulator import Scenario
from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign, JournalEntry
from selflearn.tuner import active_version


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class CampaignOutcome:
    """Where a campaign stands after it was driven as far as it could go."""

    campaign_id: str
    status: str
    state: dict[str, Any] = field(default_factory=dict)
    active_version: int | None = None
    waiting_for: dict[str, Any] | None = None
    #: Why a paused campaign stopped (the typed error), and calls, tokens and cost per role.
    paused: dict[str, Any] | None = None
    usage: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the `campaign run --json` object."""
        return {
            "campaign_id": self.campaign_id,
            "status": self.status,
            "experiments": [
                {
                    "id": e["id"],
                    "verdict": e["verdict"],
                    "deltas": {d["metric"]: d["effect"] for d in e.get("deltas", [])},
                }
                for e in self.state.get("experiments", [])
            ],
            "active_version": self.active_version,
            "baseline_metrics": self.state.get("baseline_metrics", {}),
            "final_metrics": self.state.get("final_metrics", {}),
            "paused": self.paused,
            "usage": self.usage,
        }


class CampaignRunner:
    """Run campaigns of the graph on one database, with one Student client."""

    def __init__(
        self,
        database: Database,
        student: StudentClient,
        *,
        clock: Callable[[], datetime] = _wall_clock,
        offline: bool = True,
        llms: dict[str, Any] | None = None,
        progress: Callable[[str, dict[str, Any]], None] | None = None,
        ignored_factors: Sequence[str] = (),
    ) -> None:
        """`ignored_factors` are factors the Student does not read (the offline responder's
        temperature): a campaign does not spend episodes on them and its report says so."""
        self.database = database
        self.student = student
        self.clock = clock
        self.offline = offline
        self.llms = llms or {}
        self.progress = progress
        self.ignored_factors = tuple(ignored_factors)

    def context(self, options: CampaignOptions, scenarios: Sequence[Scenario]) -> CampaignContext:
        """Return what the graph's nodes run on for a campaign with `options`."""
        return CampaignContext(
            engine=self.database.engine,
            student=self.student,
            clock=self.clock,
            scenarios={s.id: s for s in scenarios},
            llms=self.llms,
            offline=self.offline,
            max_looks=options.max_looks,
            progress=self.progress,
            ignored_factors=self.ignored_factors,
            max_cost_usd=options.max_cost_usd,
            judge_per_episode=options.judge_per_episode,
        ).with_models(self.llms)

    def start(
        self,
        options: CampaignOptions,
        *,
        campaign_id: str | None = None,
        spec: GoalSpec | None = None,
        goal_id: str | None = None,
    ) -> CampaignOutcome:
        """Validate everything, then run a new campaign until it ends or waits for the owner.

        `spec` is a goal the Manager already confirmed; otherwise `options.goal_text` is parsed.
        """
        if options.budget < 2:  # before the scenarios are read: the cheaper refusal first
            raise InvalidInputError("the budget must allow at least 2 episodes", hint="--budget 40")
        scenarios = campaign_scenarios(options)
        state = new_campaign(
            self.database.engine,
            options,
            scenarios,
            clock=self.clock,
            ignored_factors=self.ignored_factors,
            spec=spec,
            campaign_id=campaign_id,
            goal_id=goal_id,
            manager=self.llms.get("manager"),
        )
        return self._drive(state["campaign_id"], state, options, scenarios)

    def resume(
        self, campaign_id: str, *, decision: dict[str, Any] | None = None
    ) -> CampaignOutcome:
        """Continue a campaign after a crash or an approval, from its last checkpoint."""
        with session_scope(self.database.engine) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFoundError(
                    f"no campaign {campaign_id!r}", hint="`selflearn campaign list` shows them."
                )
            if campaign.status == "completed":
                raise ConflictError(
                    f"campaign {campaign_id} is already completed",
                    hint=f"`selflearn campaign show {campaign_id}` shows its report.",
                )
            config = dict(campaign.config)
        config["scenarios"] = tuple(config.get("scenarios", ()))
        options = CampaignOptions(**config)
        scenarios = campaign_scenarios(options)
        command: Any = Command(resume=decision) if decision is not None else None
        return self._drive(campaign_id, command, options, scenarios)

    def _drive(
        self,
        campaign_id: str,
        graph_input: Any,
        options: CampaignOptions,
        scenarios: Sequence[Scenario],
    ) -> CampaignOutcome:
        context = self.context(options, scenarios)
        # Every role call of this campaign is written to its ledger as it ends.
        ledger = RoleLedger(self.database.engine, campaign_id, self.clock)
        context = context.with_models(ledger.bind(self.llms))
        config: RunnableConfig = {
            "configurable": {"thread_id": campaign_id},
            "max_concurrency": options.max_concurrency,
            "recursion_limit": 1000,
        }
        with open_checkpointer(self.database) as saver:
            graph = build_campaign_graph().compile(checkpointer=saver)
            try:
                for update in graph.stream(
                    graph_input, config, context=context, stream_mode="updates"
                ):
                    context.notify("step", nodes=list(update))
            except ProviderError as error:
                # A model failed after all its retries: the campaign cannot go on now. The
                # checkpoint keeps every finished step and episode; resume replays the rest.
                return self._pause(campaign_id, error)
            except Exception:
                self._set_status(campaign_id, "failed")
                raise
            snapshot = graph.get_state(config)
        state = dict(snapshot.values)
        waiting = None
        if snapshot.interrupts:
            waiting = snapshot.interrupts[0].value
            status = "awaiting_approval"
        elif snapshot.next:
            status = "running"
        else:
            status = "completed"
        self._set_status(campaign_id, status)
        with session_scope(self.database.engine) as session:
            active = active_version(session=session)
            number = active.version if active is not None else None
        usage = role_usage(self.database.engine, campaign_id)
        return CampaignOutcome(campaign_id, status, state, number, waiting, usage=usage)

    def _pause(self, campaign_id: str, error: ProviderError) -> CampaignOutcome:
        reason = {**error.to_dict(), "retries": error.retries}
        self._set_status(campaign_id, "paused")
        with session_scope(self.database.engine) as session:
            session.add(
                JournalEntry(
                    kind="campaign_paused",
                    summary=f"campaign {campaign_id} paused: {error.message}",
                    evidence=reason,
                    campaign_id=campaign_id,
                )
            )
        self.notify_pause(campaign_id, reason)
        usage = role_usage(self.database.engine, campaign_id)
        return CampaignOutcome(campaign_id, "paused", paused=reason, usage=usage)

    def notify_pause(self, campaign_id: str, reason: dict[str, Any]) -> None:
        """Tell the progress display that the campaign paused, and why."""
        if self.progress is not None:
            self.progress("paused", {"campaign_id": campaign_id, **reason})

    def _set_status(self, campaign_id: str, status: str) -> None:
        with session_scope(self.database.engine) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is not None and campaign.status != "completed":
                campaign.status = status


def list_campaigns(database: Database) -> list[dict[str, Any]]:
    """Return every campaign, oldest first."""
    with session_scope(database.engine) as session:
        rows = session.scalars(select(Campaign).order_by(Campaign.started_at, Campaign.id)).all()
        return [
            {
                "campaign_id": c.id,
                "status": c.status,
                "started_at": c.started_at.isoformat(),
                "finished_at": c.finished_at.isoformat() if c.finished_at else None,
                "seed": c.seed,
                "budget": c.config.get("budget"),
                "goal": c.config.get("goal_text"),
            }
            for c in rows
        ]

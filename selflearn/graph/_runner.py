"""Start and resume campaigns: compile the graph with its checkpointer and drive it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphDrained
from langgraph.runtime import RunControl
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

#: The status of a campaign stopped by its owner or a signal; `resume` continues it.
INTERRUPTED = "interrupted"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PreparedCampaign:
    """A campaign checked and recorded, ready to be driven (now or in a background thread)."""

    campaign_id: str
    graph_input: Any
    options: CampaignOptions
    scenarios: tuple[Scenario, ...]


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
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        """`ignored_factors` are factors the Student does not read (the offline responder's
        temperature): a campaign does not spend episodes on them and its report says so.
        `should_stop` is asked after each finished step: True stops the campaign there, as
        `interrupted`, resumable from that step."""
        self.database = database
        self.student = student
        self.clock = clock
        self.offline = offline
        self.llms = llms or {}
        self.progress = progress
        self.ignored_factors = tuple(ignored_factors)
        self.should_stop = should_stop

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
            keep_memories=options.keep_memories,
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
        return self.run(self.begin(options, campaign_id=campaign_id, spec=spec, goal_id=goal_id))

    def begin(
        self,
        options: CampaignOptions,
        *,
        campaign_id: str | None = None,
        spec: GoalSpec | None = None,
        goal_id: str | None = None,
    ) -> PreparedCampaign:
        """Validate a new campaign and record it as running; `run` then drives it.

        Bad input raises here, before anything is stored, so a caller that runs the campaign
        in the background can still answer it.
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
        return PreparedCampaign(state["campaign_id"], state, options, tuple(scenarios))

    def run(self, prepared: PreparedCampaign) -> CampaignOutcome:
        """Drive a campaign `begin` recorded until it ends, waits or is stopped."""
        return self._drive(
            prepared.campaign_id, prepared.graph_input, prepared.options, prepared.scenarios
        )

    def resume(
        self, campaign_id: str, *, decision: dict[str, Any] | None = None
    ) -> CampaignOutcome:
        """Continue a campaign after a crash or an approval, from its last checkpoint."""
        return self.run(self.prepare_resume(campaign_id, decision=decision))

    def prepare_resume(
        self, campaign_id: str, *, decision: dict[str, Any] | None = None
    ) -> PreparedCampaign:
        """Check a campaign can be resumed and load its options; `run` then drives it."""
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
        return PreparedCampaign(campaign_id, command, options, tuple(scenarios))

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
        stopped = False
        # A stop asked for lets the super-step in progress finish (its episodes included),
        # checkpoints it, then ends the run: resume starts from the next step.
        control = RunControl()
        with open_checkpointer(self.database) as saver:
            graph = build_campaign_graph().compile(checkpointer=saver)
            try:
                for update in graph.stream(
                    graph_input, config, context=context, stream_mode="updates", control=control
                ):
                    context.notify("step", nodes=list(update))
                    if self.should_stop is not None and self.should_stop():
                        control.request_drain("stopped by the owner")
            except GraphDrained:
                stopped = True
            except ProviderError as error:
                # A model failed after all its retries: the campaign cannot go on now. The
                # checkpoint keeps every finished step and episode; resume replays the rest.
                return self._pause(campaign_id, error)
            except KeyboardInterrupt:
                # Ctrl+C or SIGTERM: every finished step is checkpointed; resume goes on.
                self._set_status(campaign_id, INTERRUPTED)
                raise
            except Exception:
                self._set_status(campaign_id, "failed")
                raise
            snapshot = graph.get_state(config)
        state = dict(snapshot.values)
        waiting = None
        if stopped and snapshot.next:
            status = INTERRUPTED
        elif snapshot.interrupts:
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


def list_campaigns(
    database: Database,
    *,
    limit: int | None = None,
    offset: int = 0,
    status: str | None = None,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Return campaigns, oldest first (or newest first), a page at a time if `limit` is set."""
    order = (
        (Campaign.started_at.desc(), Campaign.id.desc())
        if newest_first
        else (Campaign.started_at, Campaign.id)
    )
    query = select(Campaign).order_by(*order).offset(offset).limit(limit)
    if status is not None:
        query = query.where(Campaign.status == status)
    with session_scope(database.engine) as session:
        rows = session.scalars(query).all()
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

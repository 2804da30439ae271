"""Start and resume campaigns: compile the graph with its checkpointer and drive it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphDrained
from langgraph.runtime import RunControl
from langgraph.types import Command
from sqlalchemy import select

from selflearn.agents.manager import GoalSpec
from selflearn.errors import ConflictError, InvalidInputError, NotFoundError
from selflearn.graph._builder import build_campaign_graph
from selflearn.graph._checkpoint import open_checkpointer
from selflearn.graph._context import CampaignContext
from selflearn.graph._goal import DEFAULT_GOAL, parse_goal_text
from selflearn.maas import StudentClient
from selflearn.simulator import Scenario, load_scenarios
from selflearn.store import Database, session_scope
from selflearn.store.models import Campaign
from selflearn.tuner import active_version

DEFAULT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
#: Enough for a four-arm prompt A/B to reach three looks and a few one-factor steps after it.
DEFAULT_BUDGET = 200
#: Seeds per held-out scenario: 4 bundled scenarios x 5 seeds = 20 pairs for the final check.
DEFAULT_HOLDOUT_SEEDS = 5
#: The status of a campaign stopped by its owner or a signal; `resume` continues it.
INTERRUPTED = "interrupted"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CampaignOptions:
    """What the owner asked for: goal, scenarios, episode budget, seed and pacing."""

    goal_text: str = DEFAULT_GOAL
    scenarios: tuple[str, ...] = (str(DEFAULT_SCENARIOS),)
    budget: int = DEFAULT_BUDGET
    seed: int = 0
    seeds_per_look: int = 1
    holdout_seeds: int = DEFAULT_HOLDOUT_SEEDS
    max_looks: int = 4
    max_concurrency: int = 2

    def to_config(self) -> dict[str, Any]:
        """Return the options as stored with the campaign, to resume it later."""
        return {
            "goal_text": self.goal_text,
            "scenarios": list(self.scenarios),
            "budget": self.budget,
            "seed": self.seed,
            "seeds_per_look": self.seeds_per_look,
            "holdout_seeds": self.holdout_seeds,
            "max_looks": self.max_looks,
            "max_concurrency": self.max_concurrency,
        }


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
        }


def split_scenarios(scenarios: Sequence[Scenario], spec: GoalSpec) -> tuple[list[str], list[str]]:
    """Return the train and holdout scenario ids in the goal's scope."""
    tags = set(spec.scenario_tags)
    chosen = [s for s in scenarios if not tags or tags & set(s.tags)]
    train = sorted(s.id for s in chosen if s.split == "train")
    holdout = sorted(s.id for s in chosen if s.split == "holdout")
    if not train:
        raise InvalidInputError(
            "no training scenario matches the goal's scope"
            + (f" (tags {', '.join(sorted(tags))})" if tags else ""),
            hint="Add scenarios with `split: train` and those tags, or widen the goal.",
        )
    return train, holdout


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

    def _context(self, options: CampaignOptions, scenarios: Sequence[Scenario]) -> CampaignContext:
        return CampaignContext(
            engine=self.database.engine,
            student=self.student,
            clock=self.clock,
            scenarios={s.id: s for s in scenarios},
            llms=self.llms,
            offline=self.offline,
            max_looks=options.max_looks,
            progress=self.progress,
        )

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
        spec = spec or parse_goal_text(options.goal_text)
        if options.budget < 2:
            raise InvalidInputError("the budget must allow at least 2 episodes", hint="--budget 40")
        scenarios = load_scenarios(list(options.scenarios))
        train, holdout = split_scenarios(scenarios, spec)
        testable = [f for f in spec.allowed_factors if f not in self.ignored_factors]
        if not testable:
            raise InvalidInputError(
                "the goal allows only factors this Student ignores: "
                + ", ".join(spec.allowed_factors),
                hint="Allow a retrieval or prompt factor, or configure an LLM responder "
                "(SELFLEARN_RESPONDER__PROVIDER=openai).",
            )
        campaign_id = campaign_id or f"c-{self.clock():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        with session_scope(self.database.engine) as session:
            session.add(
                Campaign(
                    id=campaign_id, status="running", seed=options.seed, config=options.to_config()
                )
            )
        state = {
            "campaign_id": campaign_id,
            "goal_text": options.goal_text,
            "goal": spec.model_dump(mode="json"),
            "seed": options.seed,
            "budget": options.budget,
            "seeds_per_look": options.seeds_per_look,
            "holdout_seeds": options.holdout_seeds,
            "train_scenarios": train,
            "holdout_scenarios": holdout,
            "ignored_factors": [f for f in spec.allowed_factors if f in self.ignored_factors],
            "experiment_index": 0,
            "episodes_done": [],
            "experiments": [],
            "decisions": [],
        }
        if goal_id:
            state["goal_id"] = goal_id
        return PreparedCampaign(campaign_id, state, options, tuple(scenarios))

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
        scenarios = load_scenarios(list(options.scenarios))
        command: Any = Command(resume=decision) if decision is not None else None
        return PreparedCampaign(campaign_id, command, options, tuple(scenarios))

    def _drive(
        self,
        campaign_id: str,
        graph_input: Any,
        options: CampaignOptions,
        scenarios: Sequence[Scenario],
    ) -> CampaignOutcome:
        context = self._context(options, scenarios)
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
        return CampaignOutcome(campaign_id, status, state, number, waiting)

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

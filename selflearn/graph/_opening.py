"""Open a campaign: check the request, store the campaign row and build its first state."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime
from sqlalchemy import Engine

from selflearn.agents.manager import GoalSpec
from selflearn.errors import InvalidInputError
from selflearn.graph._context import CampaignContext
from selflearn.graph._goal import parse_goal_text
from selflearn.graph._options import CampaignOptions
from selflearn.graph._state import CampaignState
from selflearn.simulator import Scenario, generate_scenario, load_scenarios
from selflearn.store import session_scope
from selflearn.store.models import Campaign


def campaign_scenarios(options: CampaignOptions) -> list[Scenario]:
    """Return the scenarios a campaign plays: the files' training set and its held-out set.

    With `options.holdout_scenarios` > 0 the held-out set is generated fresh from
    `options.holdout_set` (never the files' `split: holdout` scenarios, which were looked
    at); with 0 it is the files' held-out scenarios. The same options give the same set, so
    a resumed campaign monitors on the scenarios it started with.
    """
    scenarios = load_scenarios(list(options.scenarios))
    if options.holdout_scenarios <= 0:
        return scenarios
    generated = [
        Scenario.model_validate(generate_scenario(options.holdout_set, index, split="holdout"))
        for index in range(options.holdout_scenarios)
    ]
    return [s for s in scenarios if s.split == "train"] + generated


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


def new_campaign(
    engine: Engine,
    options: CampaignOptions,
    scenarios: Sequence[Scenario],
    *,
    clock: Callable[[], datetime],
    ignored_factors: Sequence[str] = (),
    spec: GoalSpec | None = None,
    campaign_id: str | None = None,
    goal_id: str | None = None,
    manager: BaseChatModel | None = None,
) -> CampaignState:
    """Validate everything, store the campaign as running, and return its first state.

    `spec` is a goal the Manager already confirmed; otherwise `options.goal_text` is read,
    by the `manager` model when one is given. Nothing is stored when the request is refused.
    """
    spec = spec or parse_goal_text(options.goal_text, llm=manager)
    if options.budget < 2:
        raise InvalidInputError("the budget must allow at least 2 episodes", hint="--budget 40")
    train, holdout = split_scenarios(scenarios, spec)
    if not [f for f in spec.allowed_factors if f not in ignored_factors]:
        raise InvalidInputError(
            "the goal allows only factors this Student ignores: " + ", ".join(spec.allowed_factors),
            hint="Allow a retrieval or answer-behaviour factor, or configure an LLM responder "
            "(SELFLEARN_RESPONDER__PROVIDER=openai). Micrograph factors: episodes replay a "
            "script that does not react to the assistant; `selflearn learners bench "
            "bifurcation` measures them against simulated users who do.",
        )
    campaign_id = campaign_id or f"c-{clock():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        config = options.to_config()
        session.add(Campaign(id=campaign_id, status="running", seed=options.seed, config=config))
    state: CampaignState = {
        "campaign_id": campaign_id,
        "goal_text": options.goal_text,
        "goal": spec.model_dump(mode="json"),
        "seed": options.seed,
        "budget": options.budget,
        "seeds_per_look": options.seeds_per_look,
        "holdout_seeds": options.holdout_seeds,
        "holdout_set_seed": options.holdout_set if options.holdout_scenarios > 0 else None,
        "train_scenarios": train,
        "holdout_scenarios": holdout,
        "ignored_factors": [f for f in spec.allowed_factors if f in ignored_factors],
        "experiment_index": 0,
        "episodes_done": [],
        "experiments": [],
        "decisions": [],
    }
    if goal_id:
        state["goal_id"] = goal_id
    return state


def open_campaign(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Open the campaign the input asks for, unless the caller opened it already.

    `CampaignRunner` opens campaigns before the graph starts; an input that names only some
    options (`goal_text`, `budget`, `seed`, `holdout_seeds`, as in Studio) is opened here,
    on the context's scenarios, with the defaults for the rest.
    """
    if state.get("campaign_id"):
        return {}
    ctx = runtime.context
    defaults = CampaignOptions()
    options = CampaignOptions(
        goal_text=state.get("goal_text") or defaults.goal_text,
        budget=int(state.get("budget") or defaults.budget),
        seed=int(state.get("seed") or defaults.seed),
        holdout_seeds=int(state.get("holdout_seeds") or defaults.holdout_seeds),
        max_looks=ctx.max_looks,
        # The context's scenarios hold the default options' generated held-out set.
        holdout_set_seed=defaults.holdout_set,
    )
    opened = new_campaign(
        ctx.engine,
        options,
        list(ctx.scenarios.values()),
        clock=ctx.clock,
        ignored_factors=ctx.ignored_factors,
        manager=ctx.llms.get("manager"),
    )
    return dict(opened)

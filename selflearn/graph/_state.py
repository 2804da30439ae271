"""The campaign graph's state: a TypedDict whose list fields accumulate through reducers."""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict


class EpisodeTask(TypedDict):
    """What one fanned-out `play_episode` call receives (through `Send`)."""

    campaign_id: str
    scenario_id: str
    seed: int
    experiment_id: str | None
    variant: str | None
    version_id: str | None
    cycle_type: str
    look: int


class CampaignState(TypedDict, total=False):
    """Everything the campaign knows between steps; checkpointed after each super-step."""

    campaign_id: str
    goal_text: str
    goal: dict[str, Any]
    goal_id: str
    seed: int
    budget: int
    seeds_per_look: int
    holdout_seeds: int
    # Seed of the generated held-out set (None: the scenario files' held-out split).
    holdout_set_seed: int | None
    train_scenarios: list[str]
    holdout_scenarios: list[str]
    # Allowed factors the Student does not read: never experimented on.
    ignored_factors: list[str]
    start_version: str
    experiment_index: int
    plan: dict[str, Any] | None
    look: int
    pending_change: dict[str, Any] | None
    status: str
    report: dict[str, Any] | None
    # Why the campaign stopped designing experiments early (its cost budget), if it did.
    stop_reason: str | None
    monitor: dict[str, Any] | None
    baseline_metrics: dict[str, Any]
    final_metrics: dict[str, Any]
    # Accumulated by reducers: parallel episodes each add their own entries.
    episodes_done: Annotated[list[str], operator.add]
    experiments: Annotated[list[dict[str, Any]], operator.add]
    decisions: Annotated[list[dict[str, Any]], operator.add]


def look_episodes(state: CampaignState, arms: int) -> int:
    """Return how many episodes one look of an experiment with `arms` arms runs."""
    return len(state["train_scenarios"]) * state["seeds_per_look"] * arms


def episodes_used(state: CampaignState) -> int:
    """Return how many episodes the campaign has completed (each counted once)."""
    return len(set(state.get("episodes_done", [])))

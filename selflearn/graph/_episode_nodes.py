"""User Emulator and Student: episodes fanned out in parallel with `Send`."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Send

from selflearn.graph._context import CampaignContext
from selflearn.graph._state import CampaignState, EpisodeTask
from selflearn.simulator import derive_seed, play_and_record
from selflearn.simulator.episode import EpisodeSpec


def look_seeds(campaign_seed: int, experiment_index: int, look: int, count: int) -> list[int]:
    """Return the episode seeds of one look: the same in every arm, fresh at every look."""
    return [
        derive_seed(campaign_seed, "experiment", experiment_index, "look", look, i) % 1_000_000
        for i in range(count)
    ]


def dispatch_look(state: CampaignState) -> list[Send]:
    """Fan one look of the experiment out: every (scenario, seed) pair in every arm."""
    plan = state["plan"]
    assert plan is not None
    look = state["look"]
    seeds = look_seeds(state["seed"], state["experiment_index"], look, state["seeds_per_look"])
    arms = [
        "baseline",
        *[v["name"] for v in plan["prepare"]["variants"] if v["name"] != "baseline"],
    ]
    sends = []
    for scenario_id in state["train_scenarios"]:
        for seed in seeds:
            for arm in arms:
                task: EpisodeTask = {
                    "campaign_id": state["campaign_id"],
                    "scenario_id": scenario_id,
                    "seed": seed,
                    "experiment_id": plan["experiment_id"],
                    "variant": arm,
                    "version_id": None,
                    "cycle_type": "macro",
                    "look": look,
                }
                sends.append(Send("play_episode", task))
    return sends


def play_episode(task: EpisodeTask, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Emulator ↔ Student: play one episode and store its scores (idempotent by episode id)."""
    ctx = runtime.context
    spec = EpisodeSpec(
        scenario=ctx.scenarios[task["scenario_id"]],
        seed=task["seed"],
        campaign_id=task["campaign_id"],
        experiment_id=task["experiment_id"],
        variant=task["variant"],
        version_id=task["version_id"],
        cycle_type=task["cycle_type"],
        look=task["look"],
    )
    result = play_and_record(
        spec,
        ctx.student,
        ctx.engine,
        paraphraser=ctx.paraphrase,
        judge=ctx.judge(),
        keep_memories=ctx.keep_memories,
    )
    ctx.notify("episode", episode=spec.episode_id, turns=result.turns)
    return {"episodes_done": [spec.episode_id]}


def route_after_episodes(state: CampaignState) -> Literal["evaluate_look", "evaluate_holdout"]:
    """Episodes of an experiment go to the Teacher; holdout episodes to the monitor."""
    return "evaluate_look" if state.get("plan") else "evaluate_holdout"

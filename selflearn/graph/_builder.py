"""Wire the roles into the campaign graph of SPEC §2.

goal (Manager) → experiment plan (Teacher) → prepare_experiment (Tuner) → episodes
(Emulator ↔ Student, fanned out with Send) → evaluation and verdict (Teacher), look after
look → recommendation → apply, or wait for the owner's approval (Manager, interrupt) →
next hypothesis … → monitoring on held-out scenarios with rollback → report (Manager).
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from selflearn.graph._context import CampaignContext
from selflearn.graph._episode_nodes import dispatch_look, play_episode, route_after_episodes
from selflearn.graph._manager_nodes import await_approval, record_goal, write_report
from selflearn.graph._monitor_nodes import dispatch_holdout, evaluate_holdout, plan_holdout
from selflearn.graph._state import CampaignState, EpisodeTask
from selflearn.graph._teacher_nodes import design_next, evaluate_look, route_after_design
from selflearn.graph._tuner_nodes import apply_change, prepare_arms, route_after_apply


def route_after_look(state: CampaignState) -> Literal["dispatch", "apply_change", "design_next"]:
    """Another look, a change to apply, or the next hypothesis."""
    if state.get("plan"):
        return "dispatch"
    return "apply_change" if state.get("pending_change") else "design_next"


CampaignGraph = StateGraph[CampaignState, CampaignContext, CampaignState, CampaignState]


def build_campaign_graph() -> CampaignGraph:
    """Return the uncompiled campaign graph; the caller compiles it with a checkpointer."""
    graph: CampaignGraph = StateGraph(CampaignState, context_schema=CampaignContext)
    graph.add_node("record_goal", record_goal)
    graph.add_node("design_next", design_next)
    graph.add_node("prepare_arms", prepare_arms)
    # A Send-invoked node receives its task, not the campaign state.
    graph.add_node(
        "run_episode",
        play_episode,  # type: ignore[call-overload]
        input_schema=EpisodeTask,
    )
    graph.add_node("evaluate_look", evaluate_look)
    graph.add_node("apply_change", apply_change)
    graph.add_node("await_approval", await_approval)
    graph.add_node("dispatch_holdout", plan_holdout)
    graph.add_node("evaluate_holdout", evaluate_holdout)
    graph.add_node("write_report", write_report)

    graph.add_edge(START, "record_goal")
    graph.add_edge("record_goal", "design_next")
    graph.add_conditional_edges("design_next", route_after_design)
    graph.add_conditional_edges("prepare_arms", dispatch_look, ["run_episode"])
    graph.add_conditional_edges("run_episode", route_after_episodes)
    graph.add_conditional_edges(
        "evaluate_look",
        _look_router,
        ["run_episode", "apply_change", "design_next"],
    )
    graph.add_conditional_edges("apply_change", route_after_apply)
    graph.add_edge("await_approval", "design_next")
    graph.add_conditional_edges("dispatch_holdout", dispatch_holdout, ["run_episode"])
    graph.add_edge("evaluate_holdout", "write_report")
    graph.add_edge("write_report", END)
    return graph


def _look_router(state: CampaignState) -> list[Send] | Literal["apply_change", "design_next"]:
    route = route_after_look(state)
    if route == "dispatch":
        return dispatch_look(state)
    return route

"""Wire the roles into the campaign graph of SPEC §2.

goal (Manager) → experiment plan (Teacher) → prepare_experiment (Tuner) → episodes
(Emulator ↔ Student, fanned out with Send) → evaluation and verdict (Teacher), look after
look → recommendation → apply, or wait for the owner's approval (Manager, interrupt) →
next hypothesis … → monitoring on held-out scenarios with rollback → report (Manager).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send

from selflearn.assistant import with_default_context
from selflearn.graph._context import CampaignContext
from selflearn.graph._episode_nodes import dispatch_look, play_episode, route_after_episodes
from selflearn.graph._manager_nodes import await_approval, record_goal, write_report
from selflearn.graph._monitor_nodes import dispatch_holdout, evaluate_holdout, plan_holdout
from selflearn.graph._opening import open_campaign
from selflearn.graph._state import CampaignState, EpisodeTask
from selflearn.graph._teacher_nodes import design_next, evaluate_look, route_after_design
from selflearn.graph._tuner_nodes import apply_change, prepare_arms, route_after_apply


def route_after_look(state: CampaignState) -> Literal["dispatch", "apply_change", "design_next"]:
    """Another look, a change to apply, or the next hypothesis."""
    if state.get("plan"):
        return "dispatch"
    return "apply_change" if state.get("pending_change") else "design_next"


CampaignGraph = StateGraph[CampaignState, CampaignContext, CampaignState, CampaignState]
Node = Callable[[Any, Runtime[CampaignContext]], dict[str, Any]]


def build_campaign_graph(
    *, default_context: Callable[[], CampaignContext] | None = None
) -> CampaignGraph:
    """Return the uncompiled campaign graph; the caller compiles it with a checkpointer.

    Runs pass their `CampaignContext` (`context=`); `default_context` gives one to runs that
    pass none (Studio, which cannot build the database and the Student itself).
    """
    graph: CampaignGraph = StateGraph(CampaignState, context_schema=CampaignContext)

    def add(node: Node, **options: Any) -> None:
        run = node if default_context is None else with_default_context(node, default_context)
        graph.add_node(node.__name__, run, **options)  # type: ignore[call-overload]

    for node in (open_campaign, record_goal, design_next, prepare_arms):
        add(node)
    # A Send-invoked node receives its task, not the campaign state.
    add(play_episode, input_schema=EpisodeTask)
    for node in (
        evaluate_look,
        apply_change,
        await_approval,
        plan_holdout,
        evaluate_holdout,
        write_report,
    ):
        add(node)

    graph.add_edge(START, "open_campaign")
    graph.add_edge("open_campaign", "record_goal")
    graph.add_edge("record_goal", "design_next")
    graph.add_conditional_edges("design_next", route_after_design)
    graph.add_conditional_edges("prepare_arms", dispatch_look, ["play_episode"])
    graph.add_conditional_edges("play_episode", route_after_episodes)
    graph.add_conditional_edges(
        "evaluate_look",
        _look_router,
        ["play_episode", "apply_change", "design_next"],
    )
    graph.add_conditional_edges("apply_change", route_after_apply)
    graph.add_edge("await_approval", "design_next")
    graph.add_conditional_edges("plan_holdout", dispatch_holdout, ["play_episode"])
    graph.add_edge("evaluate_holdout", "write_report")
    graph.add_edge("write_report", END)
    return graph


def _look_router(state: CampaignState) -> list[Send] | Literal["apply_change", "design_next"]:
    route = route_after_look(state)
    if route == "dispatch":
        return dispatch_look(state)
    return route

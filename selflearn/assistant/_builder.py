"""Wire the assistant's turn (SPEC §11): analyse → tool nodes → respond → record."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from selflearn.assistant._nodes import (
    analyse_turn,
    pick_transition,
    record_turn,
    respond,
    route_after_analyse,
)
from selflearn.assistant._state import TurnContext, TurnState

TurnGraph = StateGraph[TurnState, TurnContext, TurnState, TurnState]


def build_turn_graph() -> TurnGraph:
    """Return the uncompiled turn graph; the mirror hub will be a second tool node."""
    graph: TurnGraph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node("analyse_turn", analyse_turn)
    graph.add_node("pick_transition", pick_transition)
    graph.add_node("respond", respond)
    graph.add_node("record_turn", record_turn)
    graph.add_edge(START, "analyse_turn")
    graph.add_conditional_edges("analyse_turn", route_after_analyse)
    graph.add_edge("pick_transition", "respond")
    graph.add_edge("respond", "record_turn")
    graph.add_edge("record_turn", END)
    return graph

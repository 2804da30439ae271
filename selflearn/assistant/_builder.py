"""Wire the assistant's turn (SPEC §11): analyse → tool nodes → respond → record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.typing import StateLike

from selflearn.assistant._nodes import (
    analyse_turn,
    give_feedback,
    pick_transition,
    record_turn,
    respond,
    route_after_analyse,
)
from selflearn.assistant._state import TurnContext, TurnState

TurnGraph = StateGraph[TurnState, TurnContext, TurnState, TurnState]


S = TypeVar("S")
C = TypeVar("C", bound=StateLike)


def with_default_context(
    node: Callable[[S, Runtime[C]], dict[str, Any]], default: Callable[[], C]
) -> Callable[[S, Runtime[C]], dict[str, Any]]:
    """Run `node` on the run's context, or on `default()` when the run was given none (the
    turn graph's and the campaign graph's nodes alike)."""

    def run(state: S, runtime: Runtime[C]) -> dict[str, Any]:
        if runtime.context is None:
            runtime = runtime.override(context=default())
        return node(state, runtime)

    run.__name__ = run.__qualname__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def build_turn_graph(*, default_context: Callable[[], TurnContext] | None = None) -> TurnGraph:
    """Return the uncompiled turn graph: analyse → pick_transition (when the micrograph is
    on) → give_feedback (the mirror hub) → respond → record.

    Runs pass their `TurnContext` (`context=`); `default_context` gives one to runs that pass
    none (Studio).
    """
    graph: TurnGraph = StateGraph(TurnState, context_schema=TurnContext)
    for node in (analyse_turn, pick_transition, give_feedback, respond, record_turn):
        run = node if default_context is None else with_default_context(node, default_context)
        graph.add_node(node.__name__, run)  # type: ignore[call-overload]
    graph.add_edge(START, "analyse_turn")
    graph.add_conditional_edges("analyse_turn", route_after_analyse)
    graph.add_edge("pick_transition", "give_feedback")
    graph.add_edge("give_feedback", "respond")
    graph.add_edge("respond", "record_turn")
    graph.add_edge("record_turn", END)
    return graph

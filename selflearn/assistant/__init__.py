"""The assistant's turn (SPEC §11): a small LangGraph graph around the Student.

analyse_turn (the turn's parameters and the user's profile) → pick_transition (the
bifurcation micrograph, a tool node, run only when `micrograph.enabled` is on) → respond
(the Student retrieves and answers, with the tool's directive) → record_turn (the
micrograph's telemetry). Offline the tool node runs deterministically; `micrograph_tool`
gives a tool-calling responder the same learner as a LangChain tool.
"""

from selflearn.assistant._assistant import Assistant
from selflearn.assistant._builder import TurnGraph, build_turn_graph, with_default_context
from selflearn.assistant._nodes import (
    analyse_turn,
    pick_transition,
    record_turn,
    respond,
    route_after_analyse,
)
from selflearn.assistant._state import TurnContext, TurnState
from selflearn.assistant._tool import micrograph_tool

__all__ = [
    "Assistant",
    "TurnContext",
    "TurnGraph",
    "TurnState",
    "analyse_turn",
    "build_turn_graph",
    "micrograph_tool",
    "pick_transition",
    "record_turn",
    "respond",
    "route_after_analyse",
    "with_default_context",
]

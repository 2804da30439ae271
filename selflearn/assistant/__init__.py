"""The assistant's turn (SPEC §11): a small LangGraph graph around the Student.

analyse_turn (the turn's parameters and the user's profile) → pick_transition (the
bifurcation micrograph, a tool node, run only when `micrograph.enabled` is on) →
give_feedback (the mirror hub, a tool node, run when a mirror loop is configured: tone and
intensity) → respond (the Student retrieves and answers, with the tools' directives) →
record_turn (the micrograph's telemetry). Offline the tool nodes run deterministically;
`micrograph_tool` gives a tool-calling responder the same learner as a LangChain tool.
"""

from selflearn.assistant._assistant import Assistant
from selflearn.assistant._builder import TurnGraph, build_turn_graph, with_default_context
from selflearn.assistant._nodes import (
    analyse_turn,
    give_feedback,
    pick_transition,
    record_turn,
    respond,
    route_after_analyse,
    tone_directive,
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
    "give_feedback",
    "micrograph_tool",
    "pick_transition",
    "record_turn",
    "respond",
    "route_after_analyse",
    "tone_directive",
    "with_default_context",
]

"""The micrograph as a LangChain tool, for a responder model that calls tools itself."""

from __future__ import annotations

from langchain_core.tools import StructuredTool

from selflearn.learners.micrograph import Micrograph, MicrographConfig


def micrograph_tool(
    micrograph: Micrograph,
    config: MicrographConfig,
    *,
    user_id: str,
    intent: str | None = None,
) -> StructuredTool:
    """Return a tool that observes the user's message and proposes the next topic, if any."""

    def pick_next_topic(message: str) -> str:
        """Observe the user's latest message; return a topic to steer to, or say to stay."""
        step = micrograph.step(user_id, message, config=config, intent=intent)
        if step.skipped is not None:
            return f"No topic change (micrograph skipped: {step.skipped})."
        return step.directive or "Stay on the current topic."

    return StructuredTool.from_function(pick_next_topic)

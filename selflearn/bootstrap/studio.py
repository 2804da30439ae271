"""The campaign graph for `langgraph dev` / Studio, running on the offline defaults.

Studio supplies its own checkpointer and passes no context, so the graph is built with a
default one from the composition root: the settings' database, an in-process Student and
the bundled scenarios. Start a run with an input such as
``{"goal_text": "cut hallucinations below 5 % without losing recall", "budget": 40}``;
`open_campaign` opens it with the defaults for everything the input leaves out.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from selflearn.assistant import TurnContext, build_turn_graph
from selflearn.bootstrap._components import Components, open_components
from selflearn.graph import (
    CampaignContext,
    CampaignOptions,
    build_campaign_graph,
    campaign_scenarios,
)

__all__ = ["build_studio_graph", "build_studio_turn_graph", "studio_context"]


def studio_context(components: Components) -> CampaignContext:
    """Return the context Studio's runs use: default options on the bundled scenarios."""
    options = CampaignOptions()
    runner = components.campaign_runner()
    return runner.context(options, campaign_scenarios(options))


def build_studio_graph(components: Components) -> Any:
    """Return the campaign graph compiled for Studio (no checkpointer: Studio brings one)."""
    context: CampaignContext | None = None

    def default() -> CampaignContext:
        nonlocal context
        if context is None:
            context = studio_context(components)
        return context

    return build_campaign_graph(default_context=default).compile()


def build_studio_turn_graph(components: Components) -> Any:
    """Return the assistant's turn graph for Studio: one turn per run, written at once.

    Input: ``{"user_id": "u1", "message": "...", "options": {"params":
    {"micrograph.enabled": "on"}}}``.
    """
    context: TurnContext | None = None

    def default() -> TurnContext:
        nonlocal context
        if context is None:
            context = components.assistant(components.student()).context
        return context

    return build_turn_graph(default_context=default).compile()


@lru_cache(maxsize=1)
def _studio_graph() -> Any:
    return build_studio_graph(open_components())


@lru_cache(maxsize=1)
def _studio_turn_graph() -> Any:
    return build_studio_turn_graph(open_components())


def __getattr__(name: str) -> Any:
    # `langgraph.json` names `selflearn.bootstrap.studio:graph` and `:turn_graph`; they are
    # built on first access, so importing this module opens no database.
    if name == "graph":
        return _studio_graph()
    if name == "turn_graph":
        return _studio_turn_graph()
    raise AttributeError(name)

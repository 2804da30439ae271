"""Where the chat and the web get their `ManagerTools`: the campaign graph provides them."""

from __future__ import annotations

from selflearn.agents.manager._tools import ManagerTools


def default_tools() -> ManagerTools:
    """Return the tools backed by the campaign graph, the Tuner and the store."""
    # Imported here: the graph depends on the Manager, not the other way round.
    from selflearn.graph._tools import build_default_tools

    return build_default_tools()

"""Where the chat and the web get their `ManagerTools`: the campaign graph provides them."""

from __future__ import annotations

from selflearn.agents.manager._tools import ManagerTools


def default_tools() -> ManagerTools:
    """Return the tools backed by the campaign graph and the store."""
    raise NotImplementedError(
        "the campaign graph does not provide Manager tools yet; "
        "the Manager can only be used with tools passed in directly"
    )

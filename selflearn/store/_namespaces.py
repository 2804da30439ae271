"""Simulated users live under their own marked namespace, apart from real users.

Every user the simulator plays is stored as `sim:{episode_id}/{user}`: the mark lets
maintenance jobs and listings skip simulated memories, and lets a finished campaign or
cycle drop them by prefix. Real users' ids must not start with the mark: anything
stored under it is treated as synthetic (skipped by maintenance, dropped by retention).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, not_
from sqlalchemy.orm import InstrumentedAttribute

SIMULATED_USER_PREFIX = "sim:"
_LIKE_ESCAPE = "\\"


def is_simulated_user(user_id: str) -> bool:
    """Return whether `user_id` is a simulated user (its id carries the `sim:` mark)."""
    return user_id.startswith(SIMULATED_USER_PREFIX)


def simulated_user(scope: str, user: str) -> str:
    """Return the marked id of simulated `user` inside `scope` (an episode id)."""
    return f"{SIMULATED_USER_PREFIX}{scope}/{user}"


def like_prefix(prefix: str) -> str:
    """Return a LIKE pattern matching strings that start with `prefix`, taken literally."""
    escaped = prefix.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def real_users(column: InstrumentedAttribute[str] | ColumnElement[str]) -> ColumnElement[bool]:
    """Return a filter keeping the rows of real users (no `sim:` mark) of a user id column."""
    return not_(column.like(like_prefix(SIMULATED_USER_PREFIX), escape=_LIKE_ESCAPE))


def simulated_under(
    column: InstrumentedAttribute[str] | ColumnElement[str], scope: str = ""
) -> ColumnElement[bool]:
    """Return a filter keeping simulated users whose id starts with `sim:{scope}`.

    `scope` is matched literally: `_` and `%` in a campaign or episode id are no wildcards.
    """
    return column.like(like_prefix(SIMULATED_USER_PREFIX + scope), escape=_LIKE_ESCAPE)

"""Cooldowns: a factor rests after each change, read from the change log itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.errors import RuleViolation
from selflearn.store.models import ParameterChange
from selflearn.tuner._autonomy import AutonomyPolicy

#: Change-log actions that alter the active configuration (and so start a cooldown).
ACTIVE_CHANGING_ACTIONS = ("update_params", "activate", "rollback")


def format_duration(delta: timedelta) -> str:
    """Return a short human duration ("1 h 05 min", "42 s")."""
    seconds = max(0, int(delta.total_seconds() + 0.999))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def last_changed(*, session: Session, since: datetime | None = None) -> dict[str, datetime]:
    """Return when each factor last changed in the active configuration (since `since`)."""
    query = select(ParameterChange.created_at, ParameterChange.changes).where(
        ParameterChange.action.in_(ACTIVE_CHANGING_ACTIONS)
    )
    if since is not None:
        query = query.where(ParameterChange.created_at >= since)
    latest: dict[str, datetime] = {}
    for created_at, changes in session.execute(query):
        for item in changes:
            if isinstance(item, dict) and isinstance(item.get("param"), str):
                name = item["param"]
                if name not in latest or created_at > latest[name]:
                    latest[name] = created_at
    return latest


def cooldown_left(
    params: Iterable[str], *, session: Session, now: datetime, policy: AutonomyPolicy
) -> dict[str, tuple[timedelta, datetime]]:
    """Return, per factor still resting, the time left and when it last changed."""
    last = last_changed(session=session, since=now - policy.longest_cooldown())
    resting: dict[str, tuple[timedelta, datetime]] = {}
    for name in params:
        changed_at = last.get(name)
        if changed_at is None:
            continue
        left = changed_at + policy.cooldown_for(name) - now
        if left > timedelta(0):
            resting[name] = (left, changed_at)
    return resting


def check_cooldown(
    params: Iterable[str], *, session: Session, now: datetime, policy: AutonomyPolicy
) -> None:
    """Raise `RuleViolation(rule="cooldown")` if any factor changed too recently."""
    resting = cooldown_left(params, session=session, now=now, policy=policy)
    if not resting:
        return
    details = "; ".join(
        f"{name} changed {format_duration(now - changed_at)} ago, "
        f"cooldown {format_duration(policy.cooldown_for(name))}, "
        f"{format_duration(left)} left"
        for name, (left, changed_at) in resting.items()
    )
    raise RuleViolation(
        f"rule cooldown refused the change: {details}",
        rule="cooldown",
        hint="Wait until the cooldown ends, or propose the change to the owner "
        "(`propose_update`), whose approval overrides cooldowns.",
    )

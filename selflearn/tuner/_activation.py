"""Changing which version is active: activate, roll back and retire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError, InvalidInputError, RuleViolation
from selflearn.space import REGISTRY
from selflearn.store.models import ParameterVersion
from selflearn.tuner._atomic import activation_race, atomic
from selflearn.tuner._autonomy import AutonomyPolicy
from selflearn.tuner._cooldown import check_cooldown
from selflearn.tuner._formats import OWNER
from selflearn.tuner._versions import (
    ParamDiff,
    VersionRef,
    active_version,
    diff_params,
    effective_params,
    get_version,
    record_change,
)


def _set_status(
    session: Session, version: ParameterVersion, *, expected: str, status: str, now: datetime
) -> bool:
    values: dict[str, Any] = {"status": status}
    if status == "active":
        values["activated_at"] = now
    # Guarded on the status we read: a concurrent switch makes this match nothing.
    result = session.execute(
        update(ParameterVersion)
        .where(ParameterVersion.id == version.id, ParameterVersion.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def switch_active(
    session: Session,
    *,
    current: ParameterVersion | None,
    target: ParameterVersion,
    now: datetime,
    demote_to: str = "retired",
) -> None:
    """Demote `current` and activate `target`, or raise if another switch got there first.

    Call it inside `atomic(session)`: the demotion and the activation must land together.
    """
    if current is not None and not _set_status(
        session, current, expected="active", status=demote_to, now=now
    ):
        raise activation_race()
    if not _set_status(session, target, expected=target.status, status="active", now=now):
        raise activation_race()
    # The partial unique index fires here if a version became active in between.
    session.flush()
    for version in (current, target):
        if version is not None:
            session.refresh(version)


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("a reason is required", hint="Say why, e.g. --reason '...'.")
    return reason


def _check_reactivation(version: ParameterVersion, initiated_by: str) -> None:
    if version.status == "rolled_back" and initiated_by != OWNER:
        raise RuleViolation(
            f"rule rolled_back_needs_owner: version {version.version} was rolled back; "
            "only the owner may activate it again",
            rule="rolled_back_needs_owner",
            hint="Ask the owner, who can run `selflearn params activate`.",
        )


def _check_automatic(
    changes: list[ParamDiff],
    *,
    session: Session,
    now: datetime,
    initiated_by: str,
    policy: AutonomyPolicy | None,
) -> None:
    if initiated_by == OWNER or not changes:
        return
    policy = policy or AutonomyPolicy()
    reasons = [
        reason
        for change in changes
        if change.param in REGISTRY
        and (reason := policy.needs_approval(change.param, change.before, change.after))
    ]
    if reasons:
        raise RuleViolation(
            f"rule approval_required: {'; '.join(reasons)}",
            rule="approval_required",
            hint="Submit the change as update_params; it becomes a proposal for the owner.",
        )
    check_cooldown([change.param for change in changes], session=session, now=now, policy=policy)


def activate(
    version_id: VersionRef,
    *,
    session: Session,
    now: datetime,
    reason: str,
    initiated_by: str,
    policy: AutonomyPolicy | None = None,
) -> ParameterVersion:
    """Make a version the active one and retire the previous, in one transaction.

    Automatic initiators are held to the autonomy policy and cooldowns; a rolled-back
    version can only be re-activated by the owner.
    """
    reason = _require_reason(reason)
    target = get_version(version_id, session=session)
    if target.status == "active":
        raise ConflictError(f"version {target.version} is already active")
    _check_reactivation(target, initiated_by)
    current = active_version(session=session)
    changes = diff_params(effective_params(current), effective_params(target))
    _check_automatic(changes, session=session, now=now, initiated_by=initiated_by, policy=policy)
    with atomic(session):
        switch_active(session, current=current, target=target, now=now)
        record_change(
            session,
            action="activate",
            version=target,
            from_version=current,
            changes=[change.to_dict() for change in changes],
            reason=reason,
            initiated_by=initiated_by,
            experiment_id=target.experiment_id,
            now=now,
        )
    return target


def rollback(
    *,
    session: Session,
    now: datetime,
    reason: str,
    initiated_by: str,
    to_version: VersionRef | None = None,
) -> ParameterVersion:
    """Mark the active version rolled back and activate its parent (or `to_version`).

    Rollbacks are never held back by cooldowns: getting out of a bad state comes first.
    Returns the version that is active afterwards.
    """
    reason = _require_reason(reason)
    current = active_version(session=session)
    if current is None:
        raise RuleViolation(
            "rule nothing_to_roll_back: no version is active",
            rule="nothing_to_roll_back",
            hint="Activate a version with `selflearn params activate`.",
        )
    if to_version is not None:
        target = get_version(to_version, session=session)
    elif current.parent_id is not None:
        target = get_version(current.parent_id, session=session)
    else:
        raise RuleViolation(
            f"rule nothing_to_roll_back: version {current.version} is the first of its "
            "line and has no parent to roll back to",
            rule="nothing_to_roll_back",
            hint="Name an older version with --to, or activate another version.",
        )
    if target.id == current.id:
        raise ConflictError(f"version {target.version} is the active version already")
    _check_reactivation(target, initiated_by)
    changes = diff_params(effective_params(current), effective_params(target))
    with atomic(session):
        switch_active(session, current=current, target=target, now=now, demote_to="rolled_back")
        record_change(
            session,
            action="rollback",
            version=target,
            from_version=current,
            changes=[change.to_dict() for change in changes],
            reason=reason,
            initiated_by=initiated_by,
            experiment_id=current.experiment_id,
            now=now,
        )
    return target


def retire(
    version_id: VersionRef,
    *,
    session: Session,
    now: datetime,
    reason: str,
    initiated_by: str,
) -> ParameterVersion:
    """Retire a draft or candidate version (e.g. the losing arm of an experiment)."""
    reason = _require_reason(reason)
    version = get_version(version_id, session=session)
    if version.status == "active":
        raise RuleViolation(
            f"rule active_needs_replacement: version {version.version} is active and "
            "cannot be retired without a replacement",
            rule="active_needs_replacement",
            hint="Activate another version (or roll back); that retires this one.",
        )
    if version.status not in ("draft", "candidate"):
        raise ConflictError(
            f"version {version.version} is {version.status}; only drafts and candidates "
            "can be retired"
        )
    with atomic(session):
        if not _set_status(session, version, expected=version.status, status="retired", now=now):
            raise ConflictError(f"version {version.version} changed at the same time")
        record_change(
            session,
            action="retire",
            version=version,
            from_version=None,
            changes=[],
            reason=reason,
            initiated_by=initiated_by,
            experiment_id=version.experiment_id,
            now=now,
        )
    session.refresh(version)
    return version

"""`update_params`: apply a recommendation, or turn it into a proposal for the owner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from selflearn.errors import ConflictError, InvalidInputError
from selflearn.space import get_spec
from selflearn.store.models import ParameterVersion, Proposal
from selflearn.tuner._activation import switch_active
from selflearn.tuner._atomic import atomic
from selflearn.tuner._autonomy import AutonomyPolicy
from selflearn.tuner._cooldown import check_cooldown
from selflearn.tuner._formats import OWNER, UpdateParams, parse_update_params
from selflearn.tuner._prompts import check_prompts_registered
from selflearn.tuner._versions import (
    ParamDiff,
    effective_params,
    record_change,
    require_active,
    same_value,
)


@dataclass(frozen=True)
class ApplyResult:
    """What `update_params` did: applied a new active version, or filed a proposal."""

    status: Literal["applied", "proposed"]
    changes: tuple[ParamDiff, ...]
    version: ParameterVersion | None = None
    previous: ParameterVersion | None = None
    proposal: Proposal | None = None
    approval_reasons: tuple[str, ...] = field(default=())

    @property
    def applied(self) -> bool:
        """Return whether the change is live."""
        return self.status == "applied"


def checked_changes(
    update: UpdateParams, active: ParameterVersion, *, session: Session | None = None
) -> list[ParamDiff]:
    """Validate every change against the registry and the active values; raise on the first.

    Unknown factor or bad value -> InvalidInputError; a `from` that is not the active
    value (someone changed it since the recommendation was made) -> ConflictError.
    """
    current = effective_params(active)
    checked: list[ParamDiff] = []
    for change in update.changes:
        spec = get_spec(change.param)
        target = spec.validate(change.to)
        if session is not None:
            check_prompts_registered({change.param: target}, session=session)
        now_value = current.get(change.param, spec.default)
        if not same_value(change.from_, now_value):
            raise ConflictError(
                f"rule stale_from: {change.param} is {now_value!r} in the active version "
                f"{active.version}, not {change.from_!r} as the change assumes",
                hint="Re-read the active version and recompute the change.",
            )
        if same_value(target, now_value):
            raise InvalidInputError(
                f"{change.param} is already {now_value!r}: nothing to change",
                hint="Drop this change from the payload.",
            )
        checked.append(ParamDiff(change.param, now_value, target))
    return checked


def approval_reasons(changes: list[ParamDiff], policy: AutonomyPolicy) -> list[str]:
    """Return why these changes need the owner (empty when the Tuner may apply them)."""
    return [
        reason
        for change in changes
        if (reason := policy.needs_approval(change.param, change.before, change.after))
    ]


def _file_proposal(update: UpdateParams, why: str, *, session: Session, now: datetime) -> Proposal:
    proposal = Proposal(
        kind="update_params",
        payload=update.to_payload(),
        reason=why,
        status="pending",
        experiment_id=update.experiment_id,
        created_at=now,
    )
    with atomic(session):
        session.add(proposal)
    return proposal


def apply_update(
    update: UpdateParams,
    changes: list[ParamDiff],
    active: ParameterVersion,
    *,
    session: Session,
    now: datetime,
    initiated_by: str,
    reason: str,
) -> ParameterVersion:
    """Create the new version (parent = active), activate it and log the change."""
    params = {**effective_params(active), **{change.param: change.after for change in changes}}
    logged: list[dict[str, Any]] = [change.to_dict() for change in changes]
    if update.rollback_conditions is not None:
        logged.append({"rollback_conditions": update.rollback_conditions.model_dump()})
    with atomic(session):
        version = ParameterVersion(
            params=params,
            status="draft",
            parent_id=active.id,
            experiment_id=update.experiment_id,
            reason=reason,
            initiated_by=initiated_by,
            created_at=now,
        )
        session.add(version)
        session.flush()
        switch_active(session, current=active, target=version, now=now)
        record_change(
            session,
            action="update_params",
            version=version,
            from_version=active,
            changes=logged,
            reason=reason,
            initiated_by=initiated_by,
            experiment_id=update.experiment_id,
            now=now,
        )
    return version


def update_params(
    payload: UpdateParams | Mapping[str, Any],
    *,
    session: Session,
    now: datetime,
    autonomy: AutonomyPolicy | None = None,
) -> ApplyResult:
    """Validate and apply an `update_params` recommendation, or file it for approval.

    Changes to manual-zone factors, or beyond the autonomy policy (default policy when
    None), become a pending proposal and nothing is applied. Automatic initiators must
    also respect cooldowns; the owner (`initiated_by="owner"`) is the approval itself.
    """
    update = parse_update_params(payload)
    active = require_active(session=session)
    changes = checked_changes(update, active, session=session)
    if update.initiated_by != OWNER:
        policy = autonomy or AutonomyPolicy()
        reasons = approval_reasons(changes, policy)
        if reasons:
            why = "needs approval: " + "; ".join(reasons)
            proposal = _file_proposal(update, why, session=session, now=now)
            return ApplyResult(
                "proposed", tuple(changes), proposal=proposal, approval_reasons=tuple(reasons)
            )
        check_cooldown([c.param for c in changes], session=session, now=now, policy=policy)
    version = apply_update(
        update,
        changes,
        active,
        session=session,
        now=now,
        initiated_by=update.initiated_by,
        reason=update.reason,
    )
    return ApplyResult("applied", tuple(changes), version=version, previous=active)


def propose_update(
    payload: UpdateParams | Mapping[str, Any],
    *,
    session: Session,
    now: datetime,
    why: str = "submitted for the owner's decision",
) -> Proposal:
    """File a valid `update_params` as a pending proposal without trying to apply it.

    For changes refused by a rule the owner may override (a cooldown): the owner's
    approval applies it.
    """
    update = parse_update_params(payload)
    checked_changes(update, require_active(session=session), session=session)
    return _file_proposal(update, why, session=session, now=now)

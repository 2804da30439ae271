"""Reading parameter versions: the active one, lookups, listings, diffs and the bootstrap."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError, InvalidInputError, NotFoundError
from selflearn.space import REGISTRY, default_params
from selflearn.store.models import ParameterChange, ParameterVersion

VersionRef = int | str | uuid.UUID


@dataclass(frozen=True)
class ParamDiff:
    """One factor whose value differs between two versions."""

    param: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        """Return the diff in the change format `{"param", "from", "to"}`."""
        return {"param": self.param, "from": self.before, "to": self.after}


def same_value(a: Any, b: Any) -> bool:
    """Return whether two factor values are equal (3 == 3.0; floats up to rounding)."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def effective_params(version: ParameterVersion | None) -> dict[str, Any]:
    """Return every factor's value under `version` (defaults for factors it predates)."""
    params = default_params()
    if version is not None:
        params.update(version.params)
    return params


def version_record(version: ParameterVersion, parent_number: int | None = None) -> dict[str, Any]:
    """Return a version as JSON-ready data (the CLI's and the owner API's shape)."""
    return {
        "id": str(version.id),
        "version": version.version,
        "status": version.status,
        "parent_version": parent_number,
        "experiment_id": version.experiment_id,
        "variant": version.variant,
        "reason": version.reason,
        "initiated_by": version.initiated_by,
        "created_at": version.created_at.isoformat(),
        "activated_at": None if version.activated_at is None else version.activated_at.isoformat(),
    }


def diff_params(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ParamDiff]:
    """Return the factors that differ, in registry order (unknown names last, sorted)."""
    names = [name for name in REGISTRY if name in before or name in after]
    names += sorted((set(before) | set(after)) - set(REGISTRY))
    return [
        ParamDiff(name, before.get(name), after.get(name))
        for name in names
        if not (name in before and name in after and same_value(before[name], after[name]))
    ]


def active_version(*, session: Session) -> ParameterVersion | None:
    """Return the active version, if there is one."""
    return session.scalars(
        select(ParameterVersion).where(ParameterVersion.status == "active")
    ).one_or_none()


def require_active(*, session: Session) -> ParameterVersion:
    """Return the active version or raise saying how to get one."""
    version = active_version(session=session)
    if version is None:
        raise NotFoundError(
            "there is no active parameter version",
            hint="Activate one with `selflearn params activate ID --reason ...`, "
            "or bootstrap the defaults with `ensure_active_version`.",
        )
    return version


def _parse_ref(ref: VersionRef) -> int | uuid.UUID:
    if isinstance(ref, uuid.UUID):
        return ref
    if isinstance(ref, bool):
        raise InvalidInputError(f"{ref!r} is not a version number or id")
    if isinstance(ref, int):
        return ref
    text = str(ref).strip()
    digits = text[1:] if text[:1] in ("v", "V") else text
    if digits.isdigit():
        return int(digits)
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInputError(
            f"{ref!r} is neither a version number nor a version id",
            hint="Give the version number (e.g. 3 or v3) or its uuid; "
            "`selflearn params list` shows both.",
        ) from None


def get_version(ref: VersionRef, *, session: Session) -> ParameterVersion:
    """Return a version by its number (3, "3", "v3") or its uuid; raise if there is none."""
    key = _parse_ref(ref)
    if isinstance(key, int):
        found = session.scalars(
            select(ParameterVersion).where(ParameterVersion.version == key)
        ).one_or_none()
    else:
        found = session.get(ParameterVersion, key)
    if found is None:
        raise NotFoundError(
            f"parameter version {ref} does not exist",
            hint="`selflearn params list` shows the existing versions.",
        )
    return found


def list_versions(
    *,
    session: Session,
    status: str | None = None,
    experiment_id: str | None = None,
) -> list[ParameterVersion]:
    """Return versions in creation order, optionally only one status or experiment."""
    query = select(ParameterVersion).order_by(ParameterVersion.version)
    if status is not None:
        query = query.where(ParameterVersion.status == status)
    if experiment_id is not None:
        query = query.where(ParameterVersion.experiment_id == experiment_id)
    return list(session.scalars(query))


def diff(a: VersionRef, b: VersionRef, *, session: Session) -> list[ParamDiff]:
    """Return what changes going from version `a` to version `b`."""
    before = get_version(a, session=session)
    after = get_version(b, session=session)
    return diff_params(effective_params(before), effective_params(after))


def change_log(version_ids: Sequence[uuid.UUID], *, session: Session) -> list[ParameterChange]:
    """Return the change-log entries that touch any of these versions, oldest first."""
    if not version_ids:
        return []
    ids = list(version_ids)
    return list(
        session.scalars(
            select(ParameterChange)
            .where(ParameterChange.version_id.in_(ids) | ParameterChange.from_version_id.in_(ids))
            .order_by(ParameterChange.created_at, ParameterChange.id)
        )
    )


def record_change(
    session: Session,
    *,
    action: str,
    version: ParameterVersion | None,
    from_version: ParameterVersion | None,
    changes: Sequence[Mapping[str, Any]],
    reason: str,
    initiated_by: str,
    experiment_id: str | None,
    now: datetime,
) -> ParameterChange:
    """Append one entry to the change log (the caller's transaction commits it)."""
    entry = ParameterChange(
        action=action,
        version_id=None if version is None else version.id,
        from_version_id=None if from_version is None else from_version.id,
        changes=[dict(change) for change in changes],
        reason=reason,
        initiated_by=initiated_by,
        experiment_id=experiment_id,
        created_at=now,
    )
    session.add(entry)
    return entry


def ensure_active_version(*, session: Session, now: datetime) -> ParameterVersion:
    """Return the active version; on a fresh database, create version 1 from the defaults."""
    active = active_version(session=session)
    if active is not None:
        return active
    existing = session.scalar(select(func.count()).select_from(ParameterVersion)) or 0
    if existing:
        raise ConflictError(
            f"no parameter version is active, but {existing} exist",
            hint="Choose one with `selflearn params activate ID --reason ...`; "
            "defaults are only bootstrapped on an empty history.",
        )
    try:
        return _bootstrap(session, now)
    except IntegrityError:
        # Another process bootstrapped at the same moment: its version is the active one.
        return require_active(session=session)


def _bootstrap(session: Session, now: datetime) -> ParameterVersion:
    with session.begin_nested():
        version = ParameterVersion(
            params=default_params(),
            status="active",
            reason="initial defaults",
            initiated_by="system",
            created_at=now,
            activated_at=now,
        )
        session.add(version)
        session.flush()
        record_change(
            session,
            action="bootstrap",
            version=version,
            from_version=None,
            changes=[d.to_dict() for d in diff_params({}, version.params)],
            reason="initial defaults",
            initiated_by="system",
            experiment_id=None,
            now=now,
        )
        session.flush()
    return version

"""Parameter versions as the owner sees them: a page of the history, one version's chain, a diff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from selflearn.store.models import ParameterVersion
from selflearn.tuner import (
    diff,
    diff_params,
    effective_params,
    explain,
    get_version,
    version_record,
)

__all__ = ["version_detail", "version_diff", "version_item", "version_page"]


def version_item(
    version: ParameterVersion, parent: ParameterVersion | None = None
) -> dict[str, Any]:
    """Return one version and what it changed from its parent."""
    changes = (
        []
        if parent is None
        else [d.to_dict() for d in diff_params(effective_params(parent), effective_params(version))]
    )
    parent_number = None if parent is None else parent.version
    return {**version_record(version, parent_number), "changes": changes}


def version_page(
    session: Session, *, limit: int, offset: int, status: str | None = None
) -> dict[str, Any]:
    """Return a page of versions, newest first, each with its parent's changes."""
    parent = aliased(ParameterVersion)
    query = (
        select(ParameterVersion, parent)
        .outerjoin(parent, parent.id == ParameterVersion.parent_id)
        .order_by(ParameterVersion.version.desc())
        .offset(offset)
        .limit(limit)
    )
    count = select(func.count()).select_from(ParameterVersion)
    if status is not None:
        query = query.where(ParameterVersion.status == status)
        count = count.where(ParameterVersion.status == status)
    items = [version_item(v, p) for v, p in session.execute(query).all()]
    return {"items": items, "total": int(session.scalar(count) or 0)}


def version_detail(session: Session, ref: int, depth: int | None = None) -> dict[str, Any]:
    """Return a version, its values and its explanation chain (newest first, `depth` long)."""
    version = get_version(ref, session=session)
    parent = get_version(version.parent_id, session=session) if version.parent_id else None
    explanation = explain(version.id, session=session, depth=depth).to_dict()
    return {
        "version": version_item(version, parent),
        "params": explanation["params"],
        "chain": explanation["chain"],
    }


def version_diff(session: Session, a: int, b: int) -> dict[str, Any]:
    """Return the factors that differ going from version `a` to version `b`."""
    first, second = get_version(a, session=session), get_version(b, session=session)
    return {
        "from_version": first.version,
        "to_version": second.version,
        "changes": [d.to_dict() for d in diff(first.id, second.id, session=session)],
    }

"""Explain a version: its line of ancestors, what each changed, why, by whom, with what result."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.store.models import Experiment, ParameterChange, ParameterVersion
from selflearn.tuner._versions import (
    ParamDiff,
    VersionRef,
    change_log,
    diff_params,
    effective_params,
    get_version,
    require_active,
)


@dataclass(frozen=True)
class LogEntry:
    """One change-log entry, with version numbers instead of uuids."""

    id: int
    action: str
    at: datetime
    version: int | None
    from_version: int | None
    changes: tuple[dict[str, Any], ...]
    reason: str
    initiated_by: str
    experiment_id: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data."""
        return {
            "id": self.id,
            "action": self.action,
            "at": self.at.isoformat(),
            "version": self.version,
            "from_version": self.from_version,
            "changes": list(self.changes),
            "reason": self.reason,
            "initiated_by": self.initiated_by,
            "experiment_id": self.experiment_id,
        }


@dataclass(frozen=True)
class VersionStep:
    """One version of the chain and what it changed relative to its parent."""

    id: uuid.UUID
    version: int
    status: str
    parent_version: int | None
    created_at: datetime
    activated_at: datetime | None
    reason: str
    initiated_by: str
    experiment_id: str | None
    variant: str | None
    verdict: str | None
    changes: tuple[ParamDiff, ...]
    log: tuple[LogEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data."""
        return {
            "id": str(self.id),
            "version": self.version,
            "status": self.status,
            "parent_version": self.parent_version,
            "created_at": self.created_at.isoformat(),
            "activated_at": None if self.activated_at is None else self.activated_at.isoformat(),
            "reason": self.reason,
            "initiated_by": self.initiated_by,
            "experiment_id": self.experiment_id,
            "variant": self.variant,
            "verdict": self.verdict,
            "changes": [change.to_dict() for change in self.changes],
            "log": [entry.to_dict() for entry in self.log],
        }


@dataclass(frozen=True)
class Explanation:
    """A version's values and its chain of ancestors, newest first, back to the root."""

    params: dict[str, Any]
    chain: tuple[VersionStep, ...]

    @property
    def version(self) -> VersionStep:
        """Return the explained version itself."""
        return self.chain[0]

    def to_dict(self) -> dict[str, Any]:
        """Return the explanation as JSON-ready data."""
        return {
            "version": self.version.version,
            "id": str(self.version.id),
            "status": self.version.status,
            "params": self.params,
            "chain": [step.to_dict() for step in self.chain],
        }

    def render(self) -> str:
        """Return the explanation as plain text, one block per version."""
        head = self.version
        lines = [f"Version {head.version} ({head.status})"]
        lines += [f"  {name} = {value!r}" for name, value in self.params.items()]
        lines.append("How it came to be (newest first):")
        for step in self.chain:
            lines.extend(_render_step(step))
        return "\n".join(lines)


def _render_step(step: VersionStep) -> list[str]:
    origin = f"from v{step.parent_version}" if step.parent_version else "root"
    header = (
        f"- v{step.version} [{step.status}] {origin}, created {step.created_at:%Y-%m-%d %H:%M} "
        f"by {step.initiated_by}"
    )
    if step.experiment_id:
        header += f", experiment {step.experiment_id}"
        if step.variant:
            header += f" ({step.variant})"
        header += f", verdict {step.verdict or 'none yet'}"
    lines = [header, f"    reason: {step.reason or '(none given)'}"]
    if step.parent_version is not None:
        changed = ", ".join(f"{d.param} {d.before!r} -> {d.after!r}" for d in step.changes)
        lines.append(f"    changes: {changed or 'none'}")
    for entry in step.log:
        lines.append(
            f"    log {entry.at:%Y-%m-%d %H:%M} {entry.action} by {entry.initiated_by}: "
            f"{entry.reason}"
        )
    return lines


def _chain(
    version: ParameterVersion, session: Session, limit: int | None = None
) -> list[ParameterVersion]:
    chain = [version]
    seen = {version.id}
    while (
        chain[-1].parent_id is not None
        and chain[-1].parent_id not in seen
        and (limit is None or len(chain) < limit)
    ):
        parent = get_version(chain[-1].parent_id, session=session)
        seen.add(parent.id)
        chain.append(parent)
    return chain


def _log_entry(entry: ParameterChange, numbers: dict[uuid.UUID, int]) -> LogEntry:
    return LogEntry(
        id=entry.id,
        action=entry.action,
        at=entry.created_at,
        version=None if entry.version_id is None else numbers.get(entry.version_id),
        from_version=None if entry.from_version_id is None else numbers.get(entry.from_version_id),
        changes=tuple(entry.changes),
        reason=entry.reason,
        initiated_by=entry.initiated_by,
        experiment_id=entry.experiment_id,
    )


def _belongs_to(entry: ParameterChange, chain_ids: list[uuid.UUID]) -> uuid.UUID | None:
    # A rollback is told under the version rolled back; anything else under the version it
    # made or activated, unless that lies outside the chain (then under the one it replaced).
    first, second = entry.version_id, entry.from_version_id
    if entry.action == "rollback":
        first, second = second, first
    return first if first in chain_ids else second


def explain(
    version_id: VersionRef | None = None, *, session: Session, depth: int | None = None
) -> Explanation:
    """Explain a version (default: the active one) back to the root of its line.

    `depth` keeps only that many versions of the chain, newest first (a long history on a
    page); each still shows what it changed from its parent.
    """
    version = (
        require_active(session=session)
        if version_id is None
        else get_version(version_id, session=session)
    )
    # One version more than shown: the last one shown is compared with its parent.
    walked = _chain(version, session, None if depth is None else depth + 1)
    chain = walked if depth is None else walked[:depth]
    ids = [step.id for step in chain]
    entries = change_log(ids, session=session)
    referenced = {e.version_id for e in entries} | {e.from_version_id for e in entries}
    numbers = {
        row.id: row.version
        for row in session.execute(
            select(ParameterVersion.id, ParameterVersion.version).where(
                ParameterVersion.id.in_([ref for ref in referenced if ref is not None] + ids)
            )
        )
    }
    experiment_ids = {step.experiment_id for step in chain if step.experiment_id}
    verdicts = {
        row.id: row.verdict
        for row in session.execute(
            select(Experiment.id, Experiment.verdict).where(Experiment.id.in_(experiment_ids))
        )
    }
    steps = []
    for index, step in enumerate(chain):
        parent = walked[index + 1] if index + 1 < len(walked) else None
        own = [e for e in entries if _belongs_to(e, ids) == step.id]
        steps.append(
            VersionStep(
                id=step.id,
                version=step.version,
                status=step.status,
                parent_version=None if parent is None else parent.version,
                created_at=step.created_at,
                activated_at=step.activated_at,
                reason=step.reason,
                initiated_by=step.initiated_by,
                experiment_id=step.experiment_id,
                variant=step.variant,
                verdict=verdicts.get(step.experiment_id) if step.experiment_id else None,
                changes=tuple(
                    diff_params(effective_params(parent), effective_params(step))
                    if parent is not None
                    else ()
                ),
                log=tuple(_log_entry(e, numbers) for e in own),
            )
        )
    return Explanation(params=effective_params(version), chain=tuple(steps))

"""Cycle entries of the learning journal, and the cycle history read back from them.

Every cycle writes one entry of kind "cycle" whose evidence holds its type, the version it
measured, its `CycleMetrics` and the whole report. The "N cycles in a row" rules read the
metrics back from here: the cycles of one type measured on the active version since it
became active, oldest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selflearn.cycles._models import CycleKind, CycleReport
from selflearn.store.models import JournalEntry, ParameterVersion
from selflearn.tuner import CycleMetrics

CYCLE_ENTRY = "cycle"
#: More cycles than any streak rule looks at.
HISTORY_LIMIT = 200


def _of_kind(kind: str) -> Any:
    return (JournalEntry.kind == CYCLE_ENTRY) & (JournalEntry.evidence["cycle_type"].astext == kind)


def write_cycle_entry(
    report: CycleReport,
    *,
    session: Session,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> JournalEntry:
    """Add the journal entry of a finished (or failed) cycle."""
    evidence: dict[str, Any] = {
        "cycle_type": report.kind,
        "cycle_id": report.cycle_id,
        "version_id": report.version_id,
        "version": report.version,
        "metrics": None if report.metrics is None else report.metrics.model_dump(mode="json"),
        **(extra or {}),
        "report": report.model_dump(mode="json", exclude={"journal_entry_id"}),
    }
    entry = JournalEntry(kind=CYCLE_ENTRY, summary=report.summary(), evidence=evidence)
    entry.created_at = now
    session.add(entry)
    session.flush()
    return entry


def _entries(
    kind: CycleKind, version_id: Any, *, session: Session, since: datetime | None = None
) -> list[JournalEntry]:
    query = select(JournalEntry).where(
        _of_kind(kind), JournalEntry.evidence["version_id"].astext == str(version_id)
    )
    if since is not None:
        query = query.where(JournalEntry.created_at >= since)
    newest = session.scalars(
        query.order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc()).limit(HISTORY_LIMIT)
    )
    return list(reversed(list(newest)))


def _metrics(entry: JournalEntry) -> CycleMetrics | None:
    data = entry.evidence.get("metrics")
    if not isinstance(data, dict) or entry.evidence.get("failed"):
        return None
    return CycleMetrics.model_validate(data)


def cycle_history(
    kind: CycleKind, version: ParameterVersion, *, session: Session
) -> list[CycleMetrics]:
    """Return the metrics of the `kind` cycles measured on `version` while it is active."""
    entries = _entries(kind, version.id, session=session, since=version.activated_at)
    return [metrics for entry in entries if (metrics := _metrics(entry)) is not None]


def cycle_baseline(
    kind: CycleKind, version: ParameterVersion, *, session: Session
) -> CycleMetrics | None:
    """Return the last `kind` cycle of the version this one replaced (its parent), if any."""
    if version.parent_id is None:
        return None
    history = [m for e in _entries(kind, version.parent_id, session=session) if (m := _metrics(e))]
    return history[-1] if history else None


def last_cycles(*, session: Session) -> dict[str, datetime]:
    """Return when each cycle type last ran."""
    kind = JournalEntry.evidence["cycle_type"].astext
    rows = session.execute(
        select(kind, func.max(JournalEntry.created_at))
        .where(JournalEntry.kind == CYCLE_ENTRY)
        .group_by(kind)
    )
    return {str(name): at for name, at in rows if name is not None}


def last_evidence(
    kind: CycleKind, *, session: Session, where: str | None = None
) -> tuple[datetime, dict[str, Any]] | None:
    """Return time and evidence of the last `kind` cycle (with evidence key `where` set)."""
    query = select(JournalEntry).where(_of_kind(kind))
    if where is not None:
        query = query.where(JournalEntry.evidence[where].astext.is_not(None))
    entry = session.scalars(
        query.order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc()).limit(1)
    ).first()
    return None if entry is None else (entry.created_at, dict(entry.evidence))

"""`run_cycle`: the frame every cycle shares — online sweep, the cycle, telemetry, journal.

A failing cycle is recorded too (telemetry with its error type, a journal entry marked
failed, which the streak rules ignore) before the error reaches the caller.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

from sqlalchemy import Engine

from selflearn.cycles._context import DEFAULT_SCENARIOS, CycleContext, CycleRoles, CycleStudent
from selflearn.cycles._deep import run_deep
from selflearn.cycles._journal import write_cycle_entry
from selflearn.cycles._macro import run_macro
from selflearn.cycles._micro import run_micro
from selflearn.cycles._models import CYCLE_KINDS, CycleKind, CycleOptions, CycleReport
from selflearn.cycles._online import collect_online_examples
from selflearn.cycles._telemetry import CycleSummary, write_cycle_telemetry
from selflearn.errors import InvalidInputError, SelflearnError
from selflearn.store import Database, session_scope
from selflearn.tuner import active_version, ensure_active_version

logger = logging.getLogger(__name__)

_BODIES: dict[str, Callable[[CycleContext], CycleSummary]] = {
    "micro": run_micro,
    "macro": run_macro,
    "deep": run_deep,
}


def cycle_id(kind: str, now: datetime) -> str:
    """Return the id of the `kind` cycle started at `now` (also its episodes' campaign id)."""
    return f"{kind}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _engine(database: Database | Engine) -> Engine:
    return database.engine if isinstance(database, Database) else database


def _record(
    ctx: CycleContext, summary: CycleSummary, *, version_id: uuid.UUID, failed: bool
) -> None:
    report = ctx.report
    with session_scope(ctx.engine) as session:
        active = active_version(session=session)
        report.active_version = None if active is None else active.version
        if report.kind != "macro" or failed:
            run_id = write_cycle_telemetry(
                report.kind,
                summary,
                session=session,
                now=ctx.now,
                version_id=version_id,
                text=report.summary(),
            )
            report.pipeline_run_id = str(run_id)
        extra = dict(ctx.extra)
        if failed:
            extra["failed"] = True
        entry = write_cycle_entry(report, session=session, now=ctx.now, extra=extra)
        report.journal_entry_id = entry.id


def run_cycle(
    kind: CycleKind | str,
    *,
    database: Database | Engine,
    student: CycleStudent,
    now: datetime,
    scenarios_path: str | PathLike[str] | None = None,
    options: CycleOptions | None = None,
    trigger: str = "on command",
    roles: CycleRoles | None = None,
) -> CycleReport:
    """Run one micro, macro or deep cycle at `now` and return what it found and did.

    `trigger` says why it runs (the daemon passes its reason); it is kept in the report.
    """
    if kind not in CYCLE_KINDS:
        raise InvalidInputError(
            f"unknown cycle {kind!r}", hint=f"Use one of: {', '.join(CYCLE_KINDS)}."
        )
    if now.tzinfo is None:
        raise InvalidInputError("now must be timezone-aware", hint="Pass e.g. datetime.now(UTC).")
    engine = _engine(database)
    with session_scope(engine) as session:
        active = ensure_active_version(session=session, now=now)
        version, version_id = active.version, active.id
    report = CycleReport(
        kind=kind,
        cycle_id=cycle_id(kind, now),
        started_at=now,
        trigger=trigger,
        version=version,
        version_id=str(version_id),
    )
    ctx = CycleContext(
        engine=engine,
        student=student,
        now=now,
        options=options or CycleOptions(),
        scenarios_path=Path(scenarios_path) if scenarios_path else DEFAULT_SCENARIOS,
        report=report,
        roles=roles or CycleRoles(),
    )
    started = time.perf_counter()
    summary = CycleSummary(duration_ms=0.0)
    try:
        with session_scope(engine) as session:
            report.online = collect_online_examples(session=session)
        if report.online.turns:
            report.findings.append(
                f"recorded {report.online.turns} online question(s) as golden examples "
                f"({report.online.new} new)"
            )
        summary = _BODIES[kind](ctx)
    except Exception as error:
        code = error.code if isinstance(error, SelflearnError) else type(error).__name__
        report.error = str(error)
        report.error_type = code
        report.duration_s = round(time.perf_counter() - started, 3)
        failed = CycleSummary(
            duration_ms=report.duration_s * 1000, error_type=code, examined=summary.examined
        )
        try:
            _record(ctx, failed, version_id=version_id, failed=True)
        except Exception:  # the original error matters more than its record
            logger.exception("could not record the failed %s cycle", kind)
        raise
    report.duration_s = round(time.perf_counter() - started, 3)
    done = CycleSummary(**{**summary.__dict__, "duration_ms": report.duration_s * 1000})
    _record(ctx, done, version_id=version_id, failed=False)
    return report

"""The cycle daemon: watch for idle time and the clock, run whichever cycle is due.

Every tick it records new online questions as golden examples, then picks at most one
cycle, in this order:

* micro — idle for `micro_idle` (5 min) and no micro cycle since the last online turn;
* macro — idle for `macro_idle` (1 h) and no macro cycle since the last online turn, or
  `macro_every` (24 h) since the last macro cycle;
* deep — the local hour is in the night window [`night_start`, `night_end`) and no deep
  cycle ran for `deep_min_gap` (12 h), or none ran for `deep_every` (24 h).

"Since the last cycle" reads the learning journal, so a restarted daemon knows what ran;
a cycle that never ran counts from the daemon's start. Time comes from the injected clock
and waiting from the injected sleep, so tests never wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from os import PathLike

from sqlalchemy import Engine

from selflearn.cycles._context import CycleRoles, CycleStudent
from selflearn.cycles._journal import last_cycles
from selflearn.cycles._models import CycleKind, CycleOptions, CycleReport
from selflearn.cycles._online import collect_online_examples, last_activity
from selflearn.cycles._run import run_cycle
from selflearn.errors import SelflearnError
from selflearn.store import Database, session_scope

logger = logging.getLogger(__name__)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CycleThresholds:
    """When each cycle becomes due."""

    micro_idle: timedelta = timedelta(minutes=5)
    macro_idle: timedelta = timedelta(hours=1)
    macro_every: timedelta | None = timedelta(hours=24)
    night_start: int = 2
    night_end: int = 5
    deep_min_gap: timedelta = timedelta(hours=12)
    deep_every: timedelta = timedelta(hours=24)
    timezone: tzinfo | None = None  # None: the system's local time zone

    def __post_init__(self) -> None:
        for hour in (self.night_start, self.night_end):
            if not 0 <= hour <= 24:
                raise ValueError(f"night window hours must lie in 0..24, got {hour}")

    def at_night(self, now: datetime) -> bool:
        """Return whether `now` falls in the night window (which may wrap past midnight)."""
        hour = now.astimezone(self.timezone).hour
        start, end = self.night_start, self.night_end
        if start == end:
            return False
        return start <= hour < end if start < end else hour >= start or hour < end


@dataclass(frozen=True)
class DueCycle:
    """The cycle to run now, and why."""

    kind: CycleKind
    reason: str


def _minutes(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:.0f} min"


class CycleDaemon:
    """Run learning cycles when they are due, until told to stop."""

    def __init__(
        self,
        database: Database | Engine,
        student: CycleStudent,
        *,
        clock: Callable[[], datetime] = _wall_clock,
        sleep: Callable[[float], object] = time.sleep,
        thresholds: CycleThresholds | None = None,
        options: CycleOptions | None = None,
        scenarios_path: str | PathLike[str] | None = None,
        interval: float = 60.0,
        on_report: Callable[[CycleReport], None] | None = None,
        roles: CycleRoles | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the daemon's interval must be positive")
        self.engine = database.engine if isinstance(database, Database) else database
        self.database = database
        self.student = student
        self.roles = roles
        self.clock = clock
        self.sleep = sleep
        self.thresholds = thresholds or CycleThresholds()
        self.options = options
        self.scenarios_path = scenarios_path
        self.interval = interval
        self.on_report = on_report
        self.started_at = clock()

    def due(self, now: datetime) -> DueCycle | None:
        """Return the cycle due at `now`, if any (reads the journal and online activity)."""
        t = self.thresholds
        with session_scope(self.engine) as session:
            activity = last_activity(session=session)
            last = last_cycles(session=session)
        idle = None if activity is None else max(timedelta(0), now - activity)

        def quiet_since(kind: str, threshold: timedelta) -> bool:
            ran = last.get(kind)
            return (
                idle is not None
                and activity is not None
                and idle >= threshold
                and (ran is None or ran < activity)
            )

        if quiet_since("micro", t.micro_idle):
            assert idle is not None
            return DueCycle("micro", f"idle for {_minutes(idle)}")
        if quiet_since("macro", t.macro_idle):
            assert idle is not None
            return DueCycle("macro", f"idle for {_minutes(idle)}")
        macro_ref = last.get("macro", self.started_at)
        if t.macro_every is not None and now - macro_ref >= t.macro_every:
            return DueCycle("macro", f"scheduled every {t.macro_every}")
        deep = last.get("deep")
        if t.at_night(now) and (deep is None or now - deep >= t.deep_min_gap):
            return DueCycle("deep", "night window")
        if now - (deep or self.started_at) >= t.deep_every:
            return DueCycle("deep", f"no deep cycle for {t.deep_every}")
        return None

    def run_once(self) -> CycleReport | None:
        """Record new online examples, then run the cycle that is due (at most one)."""
        now = self.clock()
        with session_scope(self.engine) as session:
            collect_online_examples(session=session)
        due = self.due(now)
        if due is None:
            return None
        logger.info("running the %s cycle: %s", due.kind, due.reason)
        report = run_cycle(
            due.kind,
            database=self.database,
            student=self.student,
            now=now,
            scenarios_path=self.scenarios_path,
            options=self.options,
            trigger=due.reason,
            roles=self.roles,
        )
        if self.on_report is not None:
            self.on_report(report)
        return report

    def run_forever(self, stop: threading.Event) -> int:
        """Tick until `stop` is set; a cycle under way finishes first. Return cycles run."""
        ran = 0
        while not stop.is_set():
            try:
                if self.run_once() is not None:
                    ran += 1
            except SelflearnError as error:
                # A failed cycle is journalled; the daemon keeps watching.
                logger.error("cycle failed: %s", error)
            if stop.is_set():
                break
            self.sleep(self.interval)
        return ran

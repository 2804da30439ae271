"""The cycle daemon: which cycle is due under a fake clock, stopping, and SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from selflearn.cycles import CycleDaemon, CycleOptions, CycleThresholds
from selflearn.maas import MemoryService
from selflearn.store import session_scope
from selflearn.store.models import JournalEntry, PipelineRun
from tests.factories import make_student

REPO_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NOON = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
TABLES = (
    "learning_journal, golden_examples, probe_results, episodes, telemetry_events, "
    "pipeline_runs, memories, parameter_changes, proposals, experiment_results, experiments, "
    "experiment_parameters"
)
# Night is 02:00-05:00 UTC in these tests, whatever the machine's time zone.
THRESHOLDS = CycleThresholds(timezone=UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="module")
def service(database, settings):
    with make_student(settings, database) as svc:
        yield svc


@pytest.fixture
def engine(database):
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    return database.engine


@pytest.fixture
def scenarios(tmp_path) -> Path:
    shutil.copy(REPO_SCENARIOS / "prompt-injection.yaml", tmp_path / "prompt-injection.yaml")
    return tmp_path


def _online_turn(engine, at: datetime) -> None:
    with session_scope(engine) as session:
        session.add(
            PipelineRun(
                id=uuid.uuid4(),
                user_id="u-online",
                cycle_type="online",
                query="I moved to Lyon.",
                answer="Noted.",
                created_at=at,
            )
        )


def _daemon(engine, service, clock, scenarios=None, **kwargs) -> CycleDaemon:
    return CycleDaemon(
        engine,
        service,
        clock=clock,
        sleep=kwargs.pop("sleep", lambda seconds: None),
        thresholds=kwargs.pop("thresholds", THRESHOLDS),
        options=CycleOptions(prompt_ab=False),
        scenarios_path=scenarios,
        **kwargs,
    )


def test_idle_time_brings_micro_then_macro_once_per_quiet_spell(engine, service, scenarios):
    clock = FakeClock(NOON)
    daemon = _daemon(engine, service, clock, scenarios)
    _online_turn(engine, NOON)
    clock.advance(minutes=4)
    assert daemon.run_once() is None  # not idle long enough
    clock.advance(minutes=1)
    micro = daemon.run_once()
    assert micro is not None and micro.kind == "micro" and micro.trigger == "idle for 5 min"
    clock.advance(minutes=1)
    assert daemon.run_once() is None  # one micro cycle per quiet spell
    clock.advance(minutes=54)
    macro = daemon.run_once()
    assert macro is not None and macro.kind == "macro" and macro.trigger == "idle for 60 min"
    clock.advance(minutes=1)
    assert daemon.due(clock()) is None  # its own episodes are not user activity
    _online_turn(engine, clock())  # the user is back: the next quiet spell gets its micro
    clock.advance(minutes=5)
    due = daemon.due(clock())
    assert due is not None and due.kind == "micro"


def test_macro_runs_on_schedule_and_deep_at_night_or_after_a_day(engine, service):
    clock = FakeClock(NOON)
    daemon = _daemon(engine, service, clock)
    assert daemon.due(NOON + timedelta(hours=10)) is None  # 22:00, no activity ever
    night = daemon.due(NOON + timedelta(hours=15))  # 03:00 UTC
    assert night is not None and (night.kind, night.reason) == ("deep", "night window")
    clock.advance(hours=15)
    report = daemon.run_once()
    assert report is not None and report.kind == "deep" and report.trigger == "night window"
    assert daemon.due(NOON + timedelta(hours=16)) is None  # 04:00: deep ran an hour ago
    scheduled = daemon.due(NOON + timedelta(hours=24))  # a day after the daemon started
    assert scheduled is not None and scheduled.kind == "macro"
    assert scheduled.reason.startswith("scheduled every")
    no_night = CycleThresholds(night_start=0, night_end=0, macro_every=None, timezone=UTC)
    daytime = _daemon(engine, service, FakeClock(NOON), thresholds=no_night)
    assert daytime.due(NOON + timedelta(hours=30)) is None  # deep ran at 03:00, 15 h before
    overdue = daytime.due(NOON + timedelta(hours=40))
    assert overdue is not None and overdue.kind == "deep"
    assert overdue.reason.startswith("no deep cycle for")


def test_night_window_may_wrap_past_midnight():
    window = CycleThresholds(night_start=23, night_end=4, timezone=UTC)
    hours = [h for h in range(24) if window.at_night(NOON.replace(hour=h))]
    assert hours == [0, 1, 2, 3, 23]
    with pytest.raises(ValueError):
        CycleThresholds(night_start=25)


def test_run_forever_sleeps_between_looks_and_stops_on_the_event(engine, service):
    clock = FakeClock(NOON)
    stop = threading.Event()
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.advance(seconds=seconds)
        if len(naps) == 3:
            stop.set()

    daemon = _daemon(engine, service, clock, sleep=sleep, interval=30.0)
    assert daemon.run_forever(stop) == 0
    assert naps == [30.0, 30.0, 30.0]


def test_a_stop_during_a_cycle_lets_that_cycle_finish(engine, service, scenarios):
    stop = threading.Event()

    class StoppingStudent:
        """The Student, with a stop request arriving in the middle of the macro cycle."""

        def __init__(self, inner: MemoryService) -> None:
            self.inner = inner
            self.embedder = inner.embedder

        def chat_turn(self, *args, **kwargs):
            stop.set()
            return self.inner.chat_turn(*args, **kwargs)

        def delete_memories(self, *args, **kwargs):
            return self.inner.delete_memories(*args, **kwargs)

        def record_feedback(self, *args, **kwargs):
            return self.inner.record_feedback(*args, **kwargs)

        def flush(self) -> None:
            self.inner.flush()

    clock = FakeClock(NOON)
    naps: list[float] = []
    daemon = _daemon(
        engine,
        StoppingStudent(service),
        clock,
        scenarios,
        sleep=naps.append,
        thresholds=CycleThresholds(macro_every=timedelta(0), timezone=UTC),
    )
    assert daemon.run_forever(stop) == 1 and naps == []
    with session_scope(engine) as session:
        [entry] = session.scalars(select(JournalEntry).where(JournalEntry.kind == "cycle")).all()
    assert entry.evidence["cycle_type"] == "macro" and not entry.evidence.get("failed")
    assert entry.evidence["report"]["episodes"] == 1


def test_sigterm_stops_the_daemon_process_with_exit_code_0(engine, database_url, tmp_path):
    hour = datetime.now(UTC).astimezone().hour
    night = f"{(hour + 12) % 24}-{(hour + 13) % 24}"  # never the current hour
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELFLEARN_", "DATABASE"))}
    env.update(DATABASE_URL=database_url, SELFLEARN_HOME=str(tmp_path))
    code = "import sys; from selflearn.cli._cycles import app; app(sys.argv[1:])"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "daemon", "--interval", "0.2", "--night", night],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 60
        started = ""
        while time.monotonic() < deadline and "daemon running" not in started:
            started += process.stderr.readline()
            assert process.poll() is None, started
        assert "daemon running" in started
        time.sleep(0.5)  # a few looks at what is due
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert "SIGTERM: stopping after the current cycle" in rest
    assert "stopped after 0 cycle(s)" in rest and "Traceback" not in rest

"""`selflearn cycles`: run a learning cycle now, or the daemon that runs them when due."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.errors import InvalidInputError

if TYPE_CHECKING:
    from selflearn.cycles import CycleReport

app = typer.Typer(
    help="Learning cycles (micro, macro, deep): run one now, or the daemon that runs them.",
    no_args_is_help=True,
)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object per cycle.")
SCENARIOS_OPTION = typer.Option(
    None,
    "--scenarios",
    help="Scenario folder or file of the macro golden set (default: the bundled scenarios).",
)


class Kind(StrEnum):
    """The cycles that run on command."""

    micro = "micro"
    macro = "macro"
    deep = "deep"


def render(report: CycleReport) -> str:
    """Return a cycle report as a few lines for people."""
    version = f" on v{report.version}" if report.version else ""
    facts = [f"{report.duration_s:.1f} s"]
    if report.episodes:
        facts.append(f"{report.episodes} episodes")
    facts.append(f"journal #{report.journal_entry_id}")
    if report.trigger != "on command":
        facts.append(escape(report.trigger))
    lines = [f"[bold]{report.kind} cycle{version}[/] [dim]({', '.join(facts)})[/]"]
    if report.error:
        lines.append(f"  [bold red]failed[/]: {escape(report.error)}")
    lines += [f"  • {escape(finding)}" for finding in report.findings]
    lines += [
        f"  [dim]- {escape(action.rule or '')}: {escape(action.detail)}[/]"
        for action in report.actions
        if action.kind == "skipped"
    ]
    if report.active_version is not None and report.active_version != report.version:
        lines.append(f"  [bold]v{report.active_version} is active now[/]")
    return "\n".join(lines)


def _emit(report: CycleReport, as_json: bool) -> None:
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        console.print(render(report), highlight=False, soft_wrap=True)


@app.command("run")
def run_command(
    kind: Kind = typer.Argument(..., help="micro, macro or deep."),
    scenarios: Path | None = SCENARIOS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run one cycle now: micro (online health), macro (golden set, rules), deep (memories)."""
    from selflearn.cycles import CycleOptions, run_cycle

    with components() as built, built.student() as student:
        report = run_cycle(
            kind.value,
            database=built.database,
            student=student,
            now=datetime.now(UTC),
            scenarios_path=scenarios,
            options=CycleOptions(
                retention_days=built.settings.retention_days,
                retire_superseded=built.settings.retire_superseded,
            ),
            roles=built.cycle_roles(),
        )
    _emit(report, as_json)


def parse_night(window: str) -> tuple[int, int]:
    """Parse "2-5" into the night window's start and end hours."""
    start, sep, end = window.partition("-")
    try:
        hours = (int(start), int(end))
    except ValueError:
        hours = (-1, -1)
    if not sep or not all(0 <= hour <= 24 for hour in hours):
        raise InvalidInputError(
            f"--night {window!r} is not a window of local hours",
            hint="Write START-END in hours, e.g. --night 2-5 (23-4 wraps past midnight).",
        )
    return hours


@app.command("daemon")
def daemon_command(
    interval: float = typer.Option(
        60.0, "--interval", min=0.05, help="Seconds between two looks at what is due."
    ),
    once: bool = typer.Option(False, "--once", help="Look once, run what is due, exit."),
    night: str = typer.Option("2-5", "--night", help="Local hours of the deep cycle, START-END."),
    scenarios: Path | None = SCENARIOS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run cycles when due: micro after 5 min idle, macro after 1 h idle or daily, deep at night.

    SIGTERM or Ctrl-C stops the daemon after the cycle under way; it exits with 0.
    """
    from selflearn.cycles import CycleDaemon, CycleOptions, CycleThresholds

    start, end = parse_night(night)
    stop = threading.Event()
    with components() as built, built.student() as student:
        daemon = CycleDaemon(
            built.database,
            student,
            sleep=stop.wait,
            thresholds=CycleThresholds(night_start=start, night_end=end),
            options=CycleOptions(
                retention_days=built.settings.retention_days,
                retire_superseded=built.settings.retire_superseded,
            ),
            scenarios_path=scenarios,
            interval=interval,
            on_report=lambda report: _emit(report, as_json),
            roles=built.cycle_roles(),
        )
        if once:
            if daemon.run_once() is None and not as_json:
                console.print("no cycle is due")
            return

        def request_stop(signum: int, frame: FrameType | None) -> None:
            err_console.print(
                f"{signal.Signals(signum).name}: stopping after the current cycle", highlight=False
            )
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        err_console.print(
            f"cycle daemon running: a look every {interval:g} s, deep cycle {start:02d}-{end:02d} "
            "local time; SIGTERM or Ctrl-C stops it",
            highlight=False,
        )
        ran = daemon.run_forever(stop)
    err_console.print(f"cycle daemon stopped after {ran} cycle(s)", highlight=False)

"""`selflearn simulate`: play scenarios against the Student and print their metrics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.simulator import load_scenarios
from selflearn.simulator.simulate import simulate as run_simulation
from selflearn.store import session_scope
from selflearn.tuner import active_version, get_version

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from selflearn.simulator.simulate import SimulationReport


def simulate(
    paths: list[Path] = typer.Argument(..., help="Scenario files or folders."),
    episodes: int = typer.Option(1, "--episodes", min=1, help="Seeds per scenario."),
    seed: int = typer.Option(0, "--seed", help="Seed of the episodes."),
    version: str | None = typer.Option(None, "--version", help="Parameter version to use."),
    compare: str | None = typer.Option(
        None,
        "--compare",
        help="Also play every episode on this version and compare it with --version (or the "
        "active one), scenarios as the unit (at least 10 scenarios decide anything).",
    ),
    student_url: str | None = typer.Option(
        None, "--student-url", help="Talk to a Student served over HTTP instead of in-process."
    ),
    student_token: str | None = typer.Option(
        None,
        "--student-token",
        envvar="SELFLEARN_STUDENT_TOKEN",
        help="A service token for --student-url (`selflearn tokens create --role service`).",
    ),
    judge: bool = typer.Option(
        False, "--judge", help="Also ask the judge role and report its agreement with the metrics."
    ),
    keep_memories: bool = typer.Option(
        False,
        "--keep-memories",
        help="Keep the simulated users' (`sim:`) memories of every episode (default: dropped).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
) -> None:
    """Run episodes of scenarios against the Student; print a metric table or one JSON object."""
    scenarios = load_scenarios(paths)  # every file is validated before anything runs
    with components() as built, built.student(telemetry_flush_every=64) as student:
        with session_scope(built.database.engine) as session:
            # Both versions are looked up before anything runs.
            chosen = get_version(version, session=session) if version else None
            against = get_version(compare, session=session) if compare else None
            shown = chosen or active_version(session=session)
            labels = (f"v{shown.version}" if shown else "defaults", "")
            runs = [str(chosen.id) if chosen else None]
            if against is not None:
                labels = (labels[0], f"v{against.version}")
                runs.append(str(against.id))
        client: Any = student
        if student_url:
            from selflearn.web.client import connect_student

            client = connect_student(student_url, student_token)
        paraphraser = None
        if not built.models.is_offline("emulator"):
            from selflearn.simulator.llm_paraphrase import LLMParaphraser

            paraphraser = LLMParaphraser(built.models("emulator"))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        reports = []
        with Progress(*columns, console=err_console, transient=as_json) as progress:
            task = progress.add_task("episodes", total=len(scenarios) * episodes * len(runs))
            for version_id in runs:
                reports.append(
                    run_simulation(
                        scenarios,
                        client=client,
                        engine=built.database.engine,
                        episodes=episodes,
                        seed=seed,
                        version_id=version_id,
                        paraphraser=paraphraser,
                        judge=_judge(built.models("judge")) if judge else None,
                        on_episode=lambda _: progress.advance(task),
                        keep_memories=keep_memories,
                    )
                )
    report = reports[0]
    if len(reports) == 2:
        _print_comparison(reports[0], reports[1], labels, episodes=episodes, as_json=as_json)
        return
    if as_json:
        print_json(report.to_json())
        return
    table = Table(title=f"{report.episodes} episodes, {report.turns} turns (offline metrics)")
    names = {"recall": "recall", "precision": "prec", "answer_correct_rate": "correct",
             "hallucination_rate": "halluc", "abstention_rate": "abstain",
             "latency_ms_p95": "p95 ms"}  # fmt: skip
    table.add_column("scenario")
    for label in names.values():
        table.add_column(label, justify="right")
    table.add_column(f"pass^1 / pass^{episodes}", justify="right")
    for summary in report.per_scenario:
        cells = [_fmt(summary.metrics.get(n)) for n in names]
        values = list(summary.pass_hat_k.values())
        passes = f"{values[0]:.2f} / {values[-1]:.2f}" if values else "-"
        table.add_row(summary.scenario_id, *cells, passes)
    table.add_row("all", *[_fmt(report.metrics.get(n)) for n in names], "", style="bold")
    console.print(table)
    if report.judge_agreement:
        agree = report.judge_agreement
        console.print(
            f"judge vs metrics on {agree['n']} probes: correctness agreement "
            f"{agree['correct']['agreement']}, kappa {agree['correct']['kappa']}; "
            f"hallucination agreement {agree['hallucinated']['agreement']}, "
            f"kappa {agree['hallucinated']['kappa']}",
            highlight=False,
        )


def _print_comparison(
    baseline: SimulationReport,
    variant: SimulationReport,
    labels: tuple[str, str],
    *,
    episodes: int,
    as_json: bool,
) -> None:
    from selflearn.agents.teacher.compare import compare_simulations
    from selflearn.agents.teacher.stats import MIN_SCENARIOS

    compared = compare_simulations(baseline, variant)
    if as_json:
        print_json(
            {
                **baseline.to_json(),
                "comparison": {
                    "baseline_version": labels[0],
                    "variant_version": labels[1],
                    "metrics": [c.model_dump(mode="json") for c in compared],
                    "variant": variant.to_json(),
                },
            }
        )
        return
    title = (
        f"{labels[1]} against {labels[0]}: {len(baseline.per_scenario)} scenarios × "
        f"{episodes} seed(s), scenario means paired"
    )
    table = Table(title=title)
    for column in ("metric", labels[0], labels[1], "change [95 % CI]", "p", "verdict"):
        table.add_column(column, justify="left" if column in ("metric", "verdict") else "right")
    for c in compared:
        table.add_row(
            c.metric,
            _fmt(c.baseline),
            _fmt(c.variant),
            f"{c.effect:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]",
            f"{c.p_value:.3f}",
            c.verdict,
        )
    console.print(table)
    console.print(
        f"{compared[0].method}, alpha 0.05; the unit is the scenario ({compared[0].scenarios} "
        f"paired, at least {MIN_SCENARIOS} decide anything).",
        highlight=False,
    )


def _judge(model: BaseChatModel) -> Any:
    from selflearn.agents.teacher import judge_probe

    def run(probe: Any) -> Any:
        truth = probe.probe.truth
        expected = None if truth.unanswerable else truth.answer
        return judge_probe(
            probe.probe.question, probe.answer, list(probe.context), expected,
            truth.forbidden, model=model,
        )  # fmt: skip

    return run


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"

"""`selflearn tune`: search impact factors on a golden set and keep a significant winner."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.errors import InvalidInputError

if TYPE_CHECKING:
    from selflearn.cycles import TuneReport, TuneTrial

app = typer.Typer(
    help="Tune impact factors on a golden set (LoCoMo conversations).", no_args_is_help=True
)


@app.callback()
def tune() -> None:
    """Tune impact factors on a golden set (LoCoMo conversations)."""


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def render(report: TuneReport) -> None:
    """Print the outcome of a tune for people."""
    table = Table(title=f"LoCoMo recall on {', '.join(report.conversations)} (train)")
    table.add_column("")
    for k in report.baseline_recall:
        table.add_column(f"@{k}", justify="right")
    table.add_row(
        f"v{report.baseline_version} (active)", *map(str, report.baseline_recall.values())
    )
    table.add_row("best trial", *map(str, report.best_recall.values()))
    console.print(table)
    if report.decision is not None:
        console.print(
            f"paired test over {report.decision.n} questions: {escape(report.decision.reason)}",
            soft_wrap=True,
        )
    if not report.changed:
        console.print(f"[bold]kept v{report.version}[/]: {escape(report.reason)}", soft_wrap=True)
        return
    before = report.trials[0].params
    for name, value in report.best_params.items():
        if before.get(name) != value:
            console.print(f"  {name}: {_value(before.get(name))} → {_value(value)}")
    state = "active" if report.activated else "a candidate (not active)"
    console.print(f"[bold]v{report.version}[/] is {state}: {escape(report.reason)}", soft_wrap=True)
    console.print(
        "Measure it on unseen conversations: "
        f"selflearn eval locomo FILE... --version {report.version}",
        soft_wrap=True,
        highlight=False,
    )
    if not report.activated:
        console.print(
            f"Activate it: selflearn params activate {report.version} --reason '...'",
            highlight=False,
        )


@app.command("locomo")
def locomo_command(
    train: list[Path] = typer.Option(
        ...,
        "--train",
        help="LoCoMo conversation files to tune on: --train A.json B.json (or --train repeated).",
    ),
    more: list[Path] | None = typer.Argument(None, hidden=True, metavar="FILE"),
    budget: int = typer.Option(20, "--budget", min=2, help="Trials, the active version's first."),
    seed: int = typer.Option(0, "--seed", help="Seed of the search."),
    activate: bool = typer.Option(
        False, "--activate", help="Activate the tuned version as the owner (default: candidate)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Search the retrieval factors for LoCoMo evidence recall@5 on train conversations.

    A winner becomes a candidate version only if a paired per-question test confirms it.
    Check it on unseen conversations (selflearn eval locomo --version N) before activating.
    """
    import optuna

    from selflearn.cycles import tune_locomo

    files = [*train, *(more or [])]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise InvalidInputError(
            f"no such file: {', '.join(missing)}", hint="Give LoCoMo conversation JSON files."
        )
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the bar says what happens
    with (
        components() as built,
        built.student(archive_turns=False) as service,
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("ingesting and measuring the active version", total=budget)

        def advance(done: int, total: int, trial: TuneTrial) -> None:
            best = max(trial.recall.get("5", 0.0), bar.tasks[task].fields.get("best", 0.0))
            bar.update(
                task,
                completed=done,
                best=best,
                description=f"trial {done}: recall@5 {trial.recall.get('5', 0.0):.4f} "
                f"(best {best:.4f})",
            )

        report = tune_locomo(
            files, service=service, budget=budget, seed=seed, activate_winner=activate,
            progress=advance,
        )  # fmt: skip
    if as_json:
        print_json(report.to_json())
    else:
        render(report)

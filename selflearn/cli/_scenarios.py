"""`selflearn scenarios`: validate scenario files; generate fresh sets from a seed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from selflearn.cli._output import console, err_console, print_json
from selflearn.simulator import ScenarioError, load_scenario, scenario_files, write_generated_set

app = typer.Typer(help="Scenario files: validate them, or generate new ones.", no_args_is_help=True)


@app.command("validate")
def validate(
    paths: list[Path] = typer.Argument(..., help="Scenario files or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Validate scenario YAML files; exit 2 if any has a problem."""
    files = scenario_files(paths)
    results: list[dict[str, object]] = []
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as error:
            results.append(
                {
                    "file": str(file),
                    "ok": False,
                    "problems": [
                        {"line": i.line, "path": i.path, "problem": i.problem, "hint": i.hint}
                        for i in error.issues
                    ],
                }
            )
            continue
        results.append(
            {
                "file": str(file),
                "ok": True,
                "id": scenario.id,
                "probes": len(scenario.probes),
                "facts": len(scenario.facts),
            }
        )
    failed = [r for r in results if not r["ok"]]
    if as_json:
        print_json({"valid": not failed and bool(results), "files": results})
    else:
        for result in results:
            if result["ok"]:
                console.print(
                    f"[green]ok[/]  {result['file']}  ({result['id']}: {result['facts']} facts, "
                    f"{result['probes']} probes)",
                    highlight=False,
                )
                continue
            for problem in result["problems"]:  # type: ignore[attr-defined]
                where = f"{result['file']}:{problem['line'] or '?'}"
                err_console.print(
                    f"[red]error[/] {where}: {problem['path'] or '(file)'}: {problem['problem']}",
                    highlight=False,
                )
                if problem["hint"]:
                    err_console.print(f"      what to do: {problem['hint']}", highlight=False)
        if not results:
            err_console.print("no scenario files found in the given paths")
    if failed or not results:
        raise typer.Exit(code=2)


@app.command("generate")
def generate(
    count: int = typer.Option(..., "--count", help="How many scenarios (1 or more)."),
    seed: int = typer.Option(..., "--seed", help="Seed of the set (0 or more)."),
    out: Path = typer.Option(..., "--out", help="Folder to write the YAML files to."),
    split: str = typer.Option("holdout", "--split", help="train or holdout."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Write COUNT valid, varied scenarios of set SEED (same seed, same files) to OUT."""
    if split not in ("train", "holdout"):
        raise typer.BadParameter("use train or holdout", param_hint="--split")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("generating", total=max(count, 0))
        report = write_generated_set(
            count, seed, out, split=split,  # type: ignore[arg-type]
            progress=lambda done: bar.update(task, completed=done),
        )  # fmt: skip
    if as_json:
        print_json(report.to_json())
        return
    console.print(f"wrote {len(report.files)} scenarios of set {seed} to {out}", highlight=False)
    table = Table(title="coverage")
    table.add_column("probe kinds")
    table.add_column("domains")
    table.add_column("styles")
    columns_of = [
        [f"{k} {v}" for k, v in sorted(report.kinds.items())],
        [f"{k} {v}" for k, v in sorted(report.domains.items())],
        [f"{k} {v}" for k, v in sorted(report.styles.items())]
        + [f"multi-user {report.multi_user}"],
    ]
    for row in range(max(len(c) for c in columns_of)):
        table.add_row(*[c[row] if row < len(c) else "" for c in columns_of])
    console.print(table)

"""`selflearn scenarios validate`: check scenario files and report every problem precisely."""

from __future__ import annotations

from pathlib import Path

import typer

from selflearn.cli._output import console, err_console, print_json
from selflearn.simulator import ScenarioError, load_scenario, scenario_files

app = typer.Typer(help="Scenario files: validate them.", no_args_is_help=True)


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

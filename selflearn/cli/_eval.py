"""`selflearn eval locomo`: evidence recall of the memory service on LoCoMo conversations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.errors import InvalidInputError
from selflearn.space import validate_params
from selflearn.store import session_scope
from selflearn.tuner import get_version

app = typer.Typer(help="Evaluations of the memory service.", no_args_is_help=True)

_CATEGORIES = {"1": "multi-hop", "2": "temporal", "3": "open-domain", "4": "single-hop",
               "5": "adversarial"}  # fmt: skip


def _read_params(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInputError(
            f"cannot read parameters from {path}: {error}",
            hint="Give a JSON or YAML mapping such as {retrieval.top_k: 10}.",
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path} must hold a mapping of parameter names to values")
    return validate_params(data)


def _ks(text: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise InvalidInputError(
            f"--k {text!r} is not a list of integers", hint="--k 5,10,25"
        ) from None
    if not ks or ks[0] < 1:
        raise InvalidInputError("--k needs positive ranks", hint="--k 5,10,25")
    return ks


@app.command("locomo")
def locomo(
    files: list[Path] = typer.Argument(..., help="LoCoMo conversation files (JSON)."),
    k: str = typer.Option("5,10,25", "--k", help="Recall ranks, comma separated."),
    version: str | None = typer.Option(None, "--version", help="Parameter version to use."),
    params_file: Path | None = typer.Option(None, "--params", help="JSON/YAML parameters."),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
) -> None:
    """Ingest each conversation as one memory space and measure evidence recall@k."""
    from selflearn.locomo import evaluate_locomo

    if version and params_file:
        raise InvalidInputError("give --version or --params, not both")
    params = _read_params(params_file) if params_file else None
    ks = _ks(k)
    with components() as built, built.student(archive_turns=False) as service:
        version_id = None
        if version:
            with session_scope(built.database.engine) as session:
                version_id = str(get_version(version, session=session).id)
        report = evaluate_locomo(
            [str(f) for f in files],
            service=service,
            ks=ks,
            params=params,
            version_id=version_id,
            progress=lambda line: err_console.print(line, highlight=False),
        )
    payload = report.to_json()
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"LoCoMo evidence recall ({payload['questions']} questions)")
    table.add_column("category")
    for rank in payload["recall"]:
        table.add_column(f"@{rank}", justify="right")
    table.add_row("all", *[f"{v:.3f}" for v in payload["recall"].values()])
    for category, recalls in sorted(payload["by_category"].items()):
        name = f"{category} {_CATEGORIES.get(category, '')}"
        table.add_row(name, *[f"{recalls.get(r, 0):.3f}" for r in payload["recall"]])
    console.print(table)
    latency = payload["latency_ms"]
    console.print(
        f"retrieval latency p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms; "
        f"hit rate {json.dumps(payload.get('hit_rate'))}; "
        f"context tokens {json.dumps(payload.get('context_tokens'))}",
        highlight=False,
    )

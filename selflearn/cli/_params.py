"""`selflearn params`: list, show, diff, activate and roll back parameter versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from selflearn.cli._components import store_session
from selflearn.cli._output import console, print_json
from selflearn.store.models import ParameterVersion
from selflearn.tuner import (
    OWNER,
    activate,
    active_version,
    diff,
    diff_params,
    effective_params,
    explain,
    get_version,
    list_versions,
    rollback,
    version_record,
)

app = typer.Typer(
    help="Parameter versions: list, inspect, compare, activate and roll back.",
    no_args_is_help=True,
)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object.")


def version_dict(version: ParameterVersion, parent_number: int | None = None) -> dict[str, Any]:
    """Return a version as JSON-ready data, with its effective parameters."""
    return {**version_record(version, parent_number), "params": effective_params(version)}


def _changes_text(changes: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['param']} {c['from']!r}→{c['to']!r}" for c in changes) or "—"


@app.command("list")
def list_command(as_json: bool = JSON_OPTION) -> None:
    """List every parameter version, oldest first, with what it changed."""
    with store_session() as session:
        versions = list_versions(session=session)
        by_id = {version.id: version for version in versions}
        rows = []
        for version in versions:
            parent = by_id.get(version.parent_id) if version.parent_id else None
            row = version_dict(version, None if parent is None else parent.version)
            changes = (
                []
                if parent is None
                else diff_params(effective_params(parent), effective_params(version))
            )
            row["changes"] = [change.to_dict() for change in changes]
            rows.append(row)
    if as_json:
        print_json({"versions": rows})
        return
    if not rows:
        console.print("no parameter versions yet")
        return
    table = Table(title="Parameter versions")
    for column in ("version", "status", "created", "by", "experiment", "changes", "reason"):
        table.add_column(column)
    for row in rows:
        experiment = row["experiment_id"] or ""
        if row["variant"]:
            experiment += f" ({row['variant']})"
        status = f"[bold green]{row['status']}[/]" if row["status"] == "active" else row["status"]
        table.add_row(
            f"v{row['version']}",
            status,
            row["created_at"][:16].replace("T", " "),
            escape(row["initiated_by"]),
            escape(experiment),
            escape(_changes_text(row["changes"])),
            escape(row["reason"]),
        )
    console.print(table)


@app.command("show")
def show_command(
    version: str = typer.Argument(..., help="Version number (3 or v3) or id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a version, its values and how it came to be (its chain back to the root)."""
    with store_session() as session:
        found = get_version(version, session=session)
        explanation = explain(found.id, session=session)
        parent = explanation.chain[1].version if len(explanation.chain) > 1 else None
        payload = {
            "version": version_dict(found, parent),
            "explanation": explanation.to_dict(),
        }
    if as_json:
        print_json(payload)
        return
    console.print(explanation.render(), markup=False, highlight=False)


@app.command("diff")
def diff_command(
    a: str = typer.Argument(..., help="The version to compare from."),
    b: str = typer.Argument(..., help="The version to compare to."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the factors that differ between two versions."""
    with store_session() as session:
        first, second = get_version(a, session=session), get_version(b, session=session)
        changes = [d.to_dict() for d in diff(first.id, second.id, session=session)]
        names = (first.version, second.version)
    if as_json:
        print_json({"from_version": names[0], "to_version": names[1], "changes": changes})
        return
    if not changes:
        console.print(f"v{names[0]} and v{names[1]} have the same values")
        return
    table = Table(title=f"v{names[0]} → v{names[1]}")
    for column in ("parameter", f"v{names[0]}", f"v{names[1]}"):
        table.add_column(column)
    for change in changes:
        table.add_row(change["param"], repr(change["from"]), repr(change["to"]))
    console.print(table)


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("activate")
def activate_command(
    version: str = typer.Argument(..., help="Version number (3 or v3) or id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the change log)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a version the active one, as the owner (the previous one is retired)."""
    with store_session() as session:
        before = active_version(session=session)
        activated = activate(
            version, session=session, now=_now(), reason=reason, initiated_by=OWNER
        )
        payload = {
            "active": version_dict(activated),
            "previous_version": None if before is None else before.version,
        }
    if as_json:
        print_json(payload)
        return
    was = f" (was v{payload['previous_version']})" if payload["previous_version"] else ""
    console.print(f"v{activated.version} is now active{was}")


@app.command("rollback")
def rollback_command(
    reason: str = typer.Option(..., "--reason", help="Why (kept in the change log)."),
    to: str | None = typer.Option(None, "--to", help="Version to return to (default: parent)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Mark the active version rolled back and re-activate its parent (or --to)."""
    with store_session() as session:
        before = active_version(session=session)
        restored = rollback(
            session=session, now=_now(), reason=reason, initiated_by=OWNER, to_version=to
        )
        payload = {
            "active": version_dict(restored),
            "rolled_back_version": None if before is None else before.version,
        }
    if as_json:
        print_json(payload)
        return
    console.print(
        f"v{payload['rolled_back_version']} rolled back; v{restored.version} is active again"
    )

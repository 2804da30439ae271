"""`selflearn approvals`: the owner's queue of proposals, approved or rejected one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from selflearn.cli._components import store_session
from selflearn.cli._output import console, print_json
from selflearn.tuner import (
    OWNER,
    approve_proposal,
    list_proposals,
    proposal_record,
    reject_proposal,
)

app = typer.Typer(
    help="Proposals waiting for the owner: list, approve, reject.", no_args_is_help=True
)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object.")
NOTE_OPTION = typer.Option(None, "--note", help="A note kept with the decision.")


def _summary(payload: dict[str, Any]) -> str:
    changes = payload.get("changes")
    if isinstance(changes, list):
        parts = [
            f"{c.get('param')} {c.get('from')!r}→{c.get('to')!r}"
            for c in changes
            if isinstance(c, dict)
        ]
        text = ", ".join(parts)
        reason = payload.get("reason")
        return f"{text} ({reason})" if reason else text
    return str(payload)[:120]


@app.command("list")
def list_command(
    show_all: bool = typer.Option(False, "--all", help="Include decided proposals."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List pending proposals (or all of them with --all), oldest first."""
    with store_session() as session:
        rows = [
            proposal_record(p)
            for p in list_proposals(session=session, status=None if show_all else "pending")
        ]
    if as_json:
        print_json({"proposals": rows})
        return
    if not rows:
        console.print("no proposals" if show_all else "no proposals waiting for approval")
        return
    table = Table(title="Proposals" if show_all else "Proposals waiting for approval")
    for column in ("id", "status", "created", "kind", "change", "why", "decided"):
        table.add_column(column)
    for row in rows:
        decided = ""
        if row["decided_by"]:
            decided = f"{row['decided_by']} {row['decided_at'][:16].replace('T', ' ')}"
        table.add_row(
            f"#{row['id']}",
            row["status"],
            row["created_at"][:16].replace("T", " "),
            row["kind"],
            escape(_summary(row["payload"])),
            escape(row["why"]),
            escape(decided),
        )
    console.print(table)


@app.command("approve")
def approve_command(
    proposal_id: str = typer.Argument(..., metavar="ID", help="The proposal's number."),
    note: str | None = NOTE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Approve a proposal: its change is validated again and applied as a new version."""
    with store_session() as session:
        result = approve_proposal(
            proposal_id, session=session, now=datetime.now(UTC), decided_by=OWNER, note=note
        )
        assert result.proposal is not None and result.version is not None
        payload: dict[str, Any] = {
            "proposal": proposal_record(result.proposal),
            "version": result.version.version,
            "version_id": str(result.version.id),
            "changes": [change.to_dict() for change in result.changes],
        }
    if as_json:
        print_json(payload)
        return
    console.print(
        f"proposal #{payload['proposal']['id']} approved; v{payload['version']} is now active"
    )


@app.command("reject")
def reject_command(
    proposal_id: str = typer.Argument(..., metavar="ID", help="The proposal's number."),
    note: str | None = NOTE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Reject a proposal; nothing is applied."""
    with store_session() as session:
        proposal = reject_proposal(
            proposal_id, session=session, now=datetime.now(UTC), decided_by=OWNER, note=note
        )
        payload = proposal_record(proposal)
    if as_json:
        print_json({"proposal": payload})
        return
    console.print(f"proposal #{payload['id']} rejected")

"""`selflearn tokens`: API tokens of the console and the APIs (create, list, revoke)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.markup import escape
from rich.table import Table

from selflearn.cli._components import store_session
from selflearn.cli._output import console, print_json
from selflearn.web import ROLES, create_token, list_tokens, revoke_token, token_dict

app = typer.Typer(
    help="API tokens: create (shown once), list, revoke. Roles: " + ", ".join(ROLES) + ".",
    no_args_is_help=True,
)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object.")


@app.command("create")
def create_command(
    role: str = typer.Option(..., "--role", help="viewer, operator, admin or service."),
    name: str = typer.Option("", "--name", help="What the token is for (shown in lists)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a token; it is printed this once and only its hash is kept."""
    with store_session() as session:
        issued = create_token(role, session=session, name=name)
    if as_json:
        print_json(issued.to_dict())
        return
    console.print(f"{issued.role} token{f' {escape(name)}' if name else ''} (shown once):")
    console.print(issued.token, markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_command(
    show_all: bool = typer.Option(False, "--all", help="Include revoked tokens."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List tokens (never their secrets), oldest first."""
    with store_session() as session:
        rows = [token_dict(t) for t in list_tokens(session=session, include_revoked=show_all)]
    if as_json:
        print_json({"tokens": rows})
        return
    if not rows:
        console.print("no tokens: `selflearn tokens create --role admin`")
        return
    table = Table(title="API tokens")
    for column in ("id", "prefix", "role", "name", "created", "last used", "revoked"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["id"],
            row["prefix"] + "…",
            row["role"],
            escape(row["name"]),
            row["created_at"][:16].replace("T", " "),
            (row["last_used_at"] or "")[:16].replace("T", " "),
            (row["revoked_at"] or "")[:16].replace("T", " "),
        )
    console.print(table)


@app.command("revoke")
def revoke_command(
    token: str = typer.Argument(..., metavar="ID", help="The token's id or its prefix."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke a token: requests with it answer 401 and its console sessions end."""
    with store_session() as session:
        row = token_dict(revoke_token(token, session=session, now=datetime.now(UTC)))
    if as_json:
        print_json({"token": row})
        return
    console.print(f"token {row['prefix']}… ({row['role']}) revoked")

"""`selflearn db`: upgrade, status and url of the configured database."""

from __future__ import annotations

import typer

from selflearn.cli._output import console, print_json
from selflearn.settings import get_settings
from selflearn.store import open_database, status, upgrade

app = typer.Typer(help="The PostgreSQL database: migrations and connection.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration shipped with this version (safe to repeat)."""
    settings = get_settings()
    database = open_database(settings, migrate=False)
    upgrade(database, dimension=settings.embedding.dimension)
    state = status(database)
    console.print(f"schema at [bold]{state.current}[/] (head {state.head})")


@app.command("status")
def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show the schema revision, the migration head and where the database is."""
    settings = get_settings()
    database = open_database(settings, migrate=False)
    state = status(database)
    payload = {
        "current": state.current,
        "head": state.head,
        "up_to_date": state.up_to_date,
        "embedded": database.embedded,
        "url": database.display_url,
        "embedding_dimension": state.embedding_dimension,
    }
    if as_json:
        print_json(payload)
        return
    mark = "[green]up to date[/]" if state.up_to_date else "[yellow]needs `selflearn db upgrade`[/]"
    console.print(
        f"database: {database.display_url} ({'embedded' if database.embedded else 'DATABASE_URL'})"
    )
    console.print(f"revision: {state.current or '(empty)'}  head: {state.head}  {mark}")
    if state.embedding_dimension:
        console.print(f"embedding dimension: {state.embedding_dimension}")


@app.command("url")
def url_command() -> None:
    """Print the SQLAlchemy URL of the database (password hidden)."""
    database = open_database(get_settings(), migrate=False)
    typer.echo(database.display_url)

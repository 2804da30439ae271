"""`selflearn db`: upgrade, status, url and retention of the configured database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer

from selflearn.cli._output import console, err_console, print_json
from selflearn.errors import InvalidInputError
from selflearn.settings import get_settings
from selflearn.store import open_database, prune_simulation_data, status, upgrade

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


@app.command("prune")
def prune_command(
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        min=0,
        help="Remove data finished this many days ago or earlier "
        "(default: SELFLEARN_RETENTION_DAYS; 0: everything finished).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; remove nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Remove old simulation data: episodes, probe results, simulated turns, checkpoints.

    Only completed campaigns (and cycles' episodes) are touched; a running, paused or
    interrupted campaign keeps everything it needs to resume.
    """
    settings = get_settings()
    days = settings.retention_days if older_than_days is None else older_than_days
    if days is None:
        raise InvalidInputError(
            "retention is off (SELFLEARN_RETENTION_DAYS=off) and no period was given",
            hint="Pass --older-than-days N, or set SELFLEARN_RETENTION_DAYS to a number of days.",
        )
    database = open_database(settings)

    def progress(step: str, rows: int) -> None:
        if not as_json:
            verb = "would remove" if dry_run else "removed"
            err_console.print(f"{step}: {verb} {rows} row(s)", highlight=False)

    report = prune_simulation_data(
        database.engine,
        now=datetime.now(UTC),
        older_than=timedelta(days=days),
        dry_run=dry_run,
        progress=progress,
    )
    if as_json:
        print_json(report.to_json())
        return
    console.print(report.summary(), highlight=False)

"""`selflearn doctor`: check the database, pgvector, providers and say what runs offline."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import typer
from rich.table import Table
from sqlalchemy import text

from selflearn.cli._output import console, print_json
from selflearn.errors import SelflearnError
from selflearn.settings import ROLES, Settings, get_settings


@dataclass
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    hint: str = ""


def _python_check() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    embedded_ok = (3, 9) <= sys.version_info[:2] <= (3, 12)
    detail = f"Python {version}" + ("" if embedded_ok else " (no embedded PostgreSQL wheels)")
    return Check("python", True, detail)


def _database_checks(settings: Settings) -> list[Check]:
    from selflearn.store import open_database, status

    try:
        database = open_database(settings)
    except SelflearnError as error:
        return [Check("database", False, error.message, error.hint)]
    checks = []
    origin = "embedded PostgreSQL" if database.embedded else "DATABASE_URL"
    with database.engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar()
        vector = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
    checks.append(
        Check("database", True, f"{origin}: PostgreSQL {server} at {database.display_url}")
    )
    checks.append(
        Check("pgvector", vector is not None, f"pgvector {vector}" if vector else "missing")
    )
    state = status(database)
    checks.append(
        Check(
            "schema",
            state.up_to_date,
            f"revision {state.current} (head {state.head}), "
            f"embeddings {state.embedding_dimension}-d",
            "" if state.up_to_date else "Run `selflearn db upgrade`.",
        )
    )
    return checks


def _provider_checks(settings: Settings) -> list[Check]:
    checks = []
    for role in ROLES:
        config = settings.llm_for(role)
        if config.provider == "offline":
            checks.append(Check(f"llm:{role}", True, "offline (deterministic, no network)"))
        else:
            where = config.base_url or "api.openai.com"
            configured = config.api_key is not None or config.base_url is not None
            checks.append(
                Check(
                    f"llm:{role}",
                    configured,
                    f"openai-compatible {config.model} at {where}",
                    ""
                    if configured
                    else f"Set SELFLEARN_{role.upper()}__API_KEY or OPENAI_API_KEY.",
                )
            )
    emb = settings.embedding
    label = "offline hashing embedder (no download)" if emb.provider == "offline" else emb.model
    checks.append(Check("embeddings", True, f"{label}, {emb.dimension} dimensions"))
    return checks


def run_checks(settings: Settings) -> list[Check]:
    """Run every check and return them in report order."""
    checks = [_python_check(), Check("data dir", True, str(settings.home))]
    checks += _database_checks(settings)
    checks += _provider_checks(settings)
    return checks


def doctor(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Check that everything SELFLEARN needs is in place, and what runs offline."""
    settings = get_settings()
    checks = run_checks(settings)
    healthy = all(check.ok for check in checks)
    offline = [
        c.name.split(":", 1)[1]
        for c in checks
        if c.name.startswith("llm:") and "offline" in c.detail
    ]
    if as_json:
        print_json(
            {
                "healthy": healthy,
                "offline_roles": offline,
                "checks": [c.__dict__ for c in checks],
            }
        )
    else:
        table = Table(title="SELFLEARN doctor", show_lines=False)
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail")
        for check in checks:
            mark = "[green]ok[/]" if check.ok else "[red]FAIL[/]"
            detail = check.detail + (f"\n[yellow]{check.hint}[/]" if check.hint else "")
            table.add_row(check.name, mark, detail)
        console.print(table)
        if offline:
            console.print(
                f"Offline mode for: {', '.join(offline)} — deterministic, documented behaviour; "
                "reports label results as offline."
            )
        console.print(
            "[green]healthy[/]" if healthy else "[red]not healthy[/]: see the hints above"
        )
    if not healthy:
        raise typer.Exit(code=2)

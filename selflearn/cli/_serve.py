"""`selflearn serve`: the Student API, the owner API and the console in one server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from selflearn.cli._output import console

APP_FACTORY = "selflearn.web.app:create_default_app"


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8080,
    reload: Annotated[
        bool, typer.Option("--reload", help="Restart when the code changes (development).")
    ] = False,
) -> None:
    """Serve the APIs and the console (/) until stopped (Ctrl+C or SIGTERM)."""
    if reload:
        import uvicorn

        # The reloader imports the app in a child process, so it needs the factory's path.
        package = Path(__file__).resolve().parents[1]
        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, reload=True, reload_dirs=[str(package)]
        )
        return

    from selflearn.cli._components import components
    from selflearn.store import session_scope
    from selflearn.web import create_app, ensure_first_admin, serve_app

    # Open the database before listening: a bad DATABASE_URL is one clear error at start,
    # not a 503 on every request.
    with components() as built:
        with session_scope(built.database.engine) as session:
            first = ensure_first_admin(session=session)
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
        console.print(f"Console: http://{shown}:{port}/  API docs: http://{shown}:{port}/docs")
        if first is not None:
            console.print("No API token existed, so this admin token was made (shown once):")
            console.print(first.token, markup=False, highlight=False, soft_wrap=True)
            console.print("Log in to the console with it; `selflearn tokens create` makes more.")
        console.file.flush()  # a supervisor's log gets the token now, not at exit
        serve_app(create_app(built), host=host, port=port)

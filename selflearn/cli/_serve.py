"""`selflearn serve`: run the Student's HTTP API (OpenAPI docs at /docs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

APP_FACTORY = "selflearn.web.app:create_default_app"


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8080,
    reload: Annotated[
        bool, typer.Option("--reload", help="Restart when the code changes (development).")
    ] = False,
) -> None:
    """Serve the Student over HTTP until interrupted (Ctrl+C)."""
    import uvicorn

    if reload:
        # The reloader imports the app in a child process, so it needs the factory's path.
        package = Path(__file__).resolve().parents[1]
        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, reload=True, reload_dirs=[str(package)]
        )
        return

    from selflearn.cli._components import components
    from selflearn.web import create_app

    # Open the database before listening: a bad DATABASE_URL is one clear error at start,
    # not a 503 on every request.
    with components() as built, built.student() as service:
        uvicorn.run(create_app(service), host=host, port=port)

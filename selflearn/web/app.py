"""The FastAPI application of the Student: `create_app()` builds it around a memory service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from selflearn import __version__
from selflearn.maas import MemoryService
from selflearn.web._body import MAX_BODY_BYTES, BodyGuard
from selflearn.web._errors import install_error_handlers
from selflearn.web._routes import router

__all__ = ["API_PREFIX", "create_app", "create_default_app"]

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The Student of SELFLEARN as an HTTP service: per-user memories, hybrid search, and chat
turns answered from memory, each on a parameter version chosen per request.

Every error answers `{"error": {"code", "message", "hint"}}`: 400 invalid input, 404 unknown
version or memory, 409 conflict, 413 body over 1 MB, 415 body not JSON, 422 malformed
request, 502 provider failure, 503 database unavailable. A user never seen simply has no memories.
"""


def create_app(service: MemoryService, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """Return the API app around `service` (the caller owns it and closes it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.flush()

    app = FastAPI(
        # Operation ids are the route functions' names: add_memories, chat, search...
        generate_unique_id_function=lambda route: route.name,
        title="SELFLEARN Student API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "memories", "description": "Add, list and delete a user's memories."},
            {"name": "search", "description": "Retrieve memories without answering."},
            {"name": "chat", "description": "One Student turn: answer, remember, measure."},
            {"name": "health", "description": "Liveness and database reachability."},
        ],
    )
    app.state.student = service
    install_error_handlers(app)
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes)
    app.include_router(router, prefix=API_PREFIX)
    return app


def create_default_app() -> FastAPI:
    """Return the API app on the settings' database (the factory `serve --reload` imports)."""
    from selflearn.bootstrap import open_components

    return create_app(open_components().student())

"""The FastAPI application of the Student: `create_app()` builds it around a memory service."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from selflearn import __version__
from selflearn.maas import MemoryService
from selflearn.web._body import MAX_BODY_BYTES, BodyGuard
from selflearn.web._errors import install_error_handlers
from selflearn.web._routes import router

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The Student of SELFLEARN as an HTTP service: per-user memories, hybrid search, and chat
turns answered from memory, each on a parameter version chosen per request.

Every error answers `{"error": {"code", "message", "hint"}}`: 400 invalid input, 404 unknown
version or memory, 409 conflict, 413 body over 1 MB, 415 body not JSON, 422 malformed
request, 502 provider failure, 503 database unavailable. A user never seen simply has no memories.
"""


class _LazyService:
    """Hold the service, building the default one on first use (it opens the database)."""

    def __init__(self, service: MemoryService | None, factory: Callable[[], MemoryService]):
        self._service = service
        self._factory = factory
        self._lock = threading.Lock()
        self.owned = False

    def get(self) -> MemoryService:
        if self._service is None:
            with self._lock:
                if self._service is None:
                    self._service = self._factory()
                    self.owned = True
        return self._service

    def close(self) -> None:
        # Flush buffered telemetry of a service we built; a caller's service is theirs.
        if self._service is not None and self.owned:
            self._service.close()


def _default_service() -> MemoryService:
    from selflearn.store import get_database

    return MemoryService(get_database())


def create_app(
    service: MemoryService | None = None, *, max_body_bytes: int = MAX_BODY_BYTES
) -> FastAPI:
    """Return the API app around `service` (default: one on the configured database)."""
    holder = _LazyService(service, _default_service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        holder.close()

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
    app.state.student = holder
    install_error_handlers(app)
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes)
    app.include_router(router, prefix=API_PREFIX)
    return app

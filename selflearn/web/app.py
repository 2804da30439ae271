"""The one app of `selflearn serve`: the Student API, the owner API and the console pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI

from selflearn import __version__
from selflearn.graph import CampaignOptions
from selflearn.maas import MemoryService
from selflearn.web import (
    _routes_approvals,
    _routes_campaigns,
    _routes_manager,
    _routes_mirror,
    _routes_telemetry,
)
from selflearn.web._body import MAX_BODY_BYTES, BodyGuard, reject_unknown_query
from selflearn.web._console import install_console
from selflearn.web._errors import install_error_handlers
from selflearn.web._jobs import CampaignJobs
from selflearn.web._mirror_hub import LiveHub
from selflearn.web._routes import router
from selflearn.web._state import WebState

if TYPE_CHECKING:
    from selflearn.bootstrap import Components
    from selflearn.learners.mirror import MirrorLoop

__all__ = ["API_PREFIX", "create_app", "create_default_app"]

API_PREFIX = "/api/v1"
#: The mirror routes also answer here, at the paths SPEC §10 names.
SHORT_PREFIX = "/api"
logger = logging.getLogger(__name__)

DESCRIPTION = """\
SELFLEARN over HTTP: the Student (per-user memories, hybrid search, chat turns answered from
memory, each on a parameter version chosen per request) and the owner's API (campaigns,
approvals, parameter versions, the Manager chat, telemetry, goals, tokens). The console's
pages are served by the same app at `/`.

Every route but `/api/v1/health` needs `Authorization: Bearer TOKEN` (`selflearn tokens
create --role ROLE`). Roles: `viewer` reads; `operator` also chats, runs campaigns and
decides proposals; `admin` also activates, rolls back and manages tokens; `service` calls
the Student's memory routes (so does `admin`).

Every error answers `{"error": {"code", "message", "hint"}}`: 400 invalid input, 401 no or
unknown token, 403 a role that may not, 404 unknown id, 409 conflict, 413 body over 1 MB,
415 body not JSON, 422 malformed request, 502 provider failure, 503 database unavailable.
A user never seen simply has no memories.
"""

TAGS = [
    {"name": "memories", "description": "Add, list and delete a user's memories (service)."},
    {"name": "search", "description": "Retrieve memories without answering (service)."},
    {"name": "chat", "description": "One Student turn: answer, remember, measure (service)."},
    {"name": "health", "description": "Liveness and database reachability (no token)."},
    {"name": "campaigns", "description": "Experiment campaigns, run in the background."},
    {"name": "approvals", "description": "Proposals waiting for the owner."},
    {"name": "versions", "description": "Parameter versions: history, activate, roll back."},
    {"name": "manager", "description": "Talk to the Manager, as `selflearn chat` does."},
    {"name": "goals", "description": "The owner's goals."},
    {"name": "telemetry", "description": "Latency per stage, hit rate, tokens and cost."},
    {"name": "tokens", "description": "Who you are; API tokens (admin)."},
    {
        "name": "mirror",
        "description": "The mirror loop: learn now (admin), the policy, stats, the field, a "
        "user's opt-out. Live events: the WebSocket `/api/v1/mirror/ws?token=TOKEN` (the "
        "same paths also answer under `/api/mirror/`).",
    },
]


def create_app(
    components: Components,
    *,
    student: MemoryService | None = None,
    campaign_defaults: CampaignOptions | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    close_components: bool = False,
    mirror: MirrorLoop | None = None,
) -> FastAPI:
    """Return the app on `components`.

    `student` is the Student its routes and campaigns use (default: one built here and
    closed with the app). `campaign_defaults` gives the scenarios and pacing of campaigns
    started from the console. The caller owns `components` unless `close_components`.
    `mirror` is the mirror loop the hub serves (default: the components' own); the app
    starts it with the server and stops it on shutdown.
    """
    owned_student = student is None
    service = student if student is not None else components.student(telemetry_flush_every=16)
    state = WebState(components, service, CampaignJobs(components, service))
    # Built without touching the database: the policy loads on first use.
    hub = LiveHub(mirror if mirror is not None else components.mirror_loop())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.start(asyncio.get_running_loop())
        hub.loop.start()
        try:
            yield
        finally:
            hub.stop()
            hub.loop.stop()
        state.stopping.set()
        state.jobs.shutdown()
        service.flush()
        if owned_student:
            service.close()
        if close_components:
            components.close()

    app = FastAPI(
        # Operation ids are the route functions' names: add_memories, chat_turn, approve...
        generate_unique_id_function=lambda route: route.name,
        title="SELFLEARN API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.student = service
    app.state.web = state
    app.state.mirror_hub = hub
    app.state.campaign_defaults = campaign_defaults or CampaignOptions()
    install_error_handlers(app)
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes, api_prefix=SHORT_PREFIX + "/")
    strict = [Depends(reject_unknown_query)]
    app.include_router(router, prefix=API_PREFIX, dependencies=strict)
    for module in (_routes_campaigns, _routes_approvals, _routes_manager, _routes_telemetry):
        app.include_router(module.router, prefix=API_PREFIX, dependencies=strict)
    app.include_router(_routes_mirror.router, prefix=API_PREFIX, dependencies=strict)
    # The short paths (/api/mirror/...): the same routes, in the schema once.
    app.include_router(
        _routes_mirror.router, prefix=SHORT_PREFIX, dependencies=strict, include_in_schema=False
    )
    for prefix in (API_PREFIX, SHORT_PREFIX):
        app.include_router(_routes_mirror.socket_router, prefix=prefix)
    install_console(app)
    return app


def create_default_app() -> FastAPI:
    """Return the app on the settings' database (the factory `serve --reload` imports)."""
    from selflearn.bootstrap import open_components
    from selflearn.store import session_scope
    from selflearn.web._tokens import ensure_first_admin

    components = open_components()
    with session_scope(components.database.engine) as session:
        first = ensure_first_admin(session=session)
    if first is not None:
        logger.warning("no API token existed; admin token made (shown once): %s", first.token)
    return create_app(components, close_components=True)

"""Mirror loop API (SPEC §10): learn now, the policy, stats, the field, a user's opt-out.

Served under `/api/v1/mirror/...` like the rest of the owner API, and again at the short
paths `/api/mirror/...` (left out of the schema). The WebSocket hub is `socket_router`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from selflearn.web._auth import auth_responses, require
from selflearn.web._mirror_hub import LiveHub
from selflearn.web._mirror_schemas import (
    MirrorField,
    MirrorPolicy,
    MirrorProfile,
    MirrorProfileUpdate,
    MirrorReplay,
    MirrorStats,
)
from selflearn.web._mirror_socket import mirror_socket
from selflearn.web._mirror_views import ISO_DATETIME, field_view, parse_instant, stats_window
from selflearn.web._routes import errors
from selflearn.web._state import WebState, web_state

__all__ = ["router", "socket_router"]

router = APIRouter(prefix="/mirror", tags=["mirror"])
socket_router = APIRouter()
socket_router.add_api_websocket_route("/mirror/ws", mirror_socket, name="mirror_socket")

State = Annotated[WebState, Depends(web_state)]
UserId = Annotated[
    str,
    Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@-]+$", description="The user."),
]


def mirror_hub(request: Request) -> LiveHub:
    """Return the app's mirror hub (a FastAPI dependency)."""
    hub: LiveHub = request.app.state.mirror_hub
    return hub


Hub = Annotated[LiveHub, Depends(mirror_hub)]


@router.post(
    "/replay",
    response_model=MirrorReplay,
    summary="Learn the policy from the logged episodes now (admin)",
    dependencies=[Depends(require("admin"))],
    responses={**auth_responses(), **errors(503)},
)
def mirror_replay(hub: Hub) -> dict[str, Any]:
    hub.loop.tick()  # episodes already due are logged first, so they are learnt from
    return hub.loop.learn()


@router.get(
    "/policy",
    response_model=MirrorPolicy,
    summary="The policy table, for one bucket or all",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def mirror_policy(
    hub: Hub,
    bucket_key: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            description='A bucket "hour-load-pad", e.g. "14-M-P" (hour 0-23, load L/M/H, '
            "dominant PAD P/A/D); all buckets when left out.",
        ),
    ] = None,
) -> dict[str, Any]:
    return {"bucket_key": bucket_key, "items": hub.loop.policy(bucket_key)}


@router.get(
    "/stats",
    response_model=MirrorStats,
    summary="Episodes in a window: n, mean reward, bucket coverage",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def mirror_stats(
    hub: Hub,
    state: State,
    start: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=ISO_DATETIME,
            description="Start, ISO 8601 (e.g. 2026-12-03T08:00:00Z; default: 24 h before `to`).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        Query(alias="to", pattern=ISO_DATETIME, description="End, ISO 8601 (default: now)."),
    ] = None,
) -> dict[str, Any]:
    window = stats_window(parse_instant(start, "from"), parse_instant(end, "to"), state.clock())
    return {**hub.loop.stats(*window), "from": window[0], "to": window[1]}


@router.get(
    "/field",
    response_model=MirrorField,
    summary="The field now and the bucket it falls in",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses()},
)
def mirror_field(hub: Hub) -> dict[str, Any]:
    return field_view(hub.loop.field())


@router.get(
    "/users/{user_id}",
    response_model=MirrorProfile,
    summary="Whether a user gets adaptive feedback (on unless opted out)",
    dependencies=[Depends(require("any"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def get_mirror_profile(user_id: UserId, hub: Hub) -> dict[str, Any]:
    return {"user_id": user_id, "mirror_enabled": hub.loop.is_enabled(user_id)}


@router.put(
    "/users/{user_id}",
    response_model=MirrorProfile,
    summary="Turn a user's adaptive feedback on or off (operator, admin, service)",
    dependencies=[Depends(require("steer"))],
    responses={**auth_responses(), **errors(413, 415, 422, 503)},
)
def put_mirror_profile(user_id: UserId, body: MirrorProfileUpdate, hub: Hub) -> dict[str, Any]:
    hub.loop.set_enabled(user_id, body.mirror_enabled)
    return {"user_id": user_id, "mirror_enabled": hub.loop.is_enabled(user_id)}

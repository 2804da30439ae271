"""Owner API: telemetry dashboards, who the caller is, and the tokens (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from selflearn.errors import ConflictError
from selflearn.store import session_scope
from selflearn.web._auth import auth_responses, require
from selflearn.web._owner_schemas import (
    CostReport,
    HitRateReport,
    LatencyReport,
    Me,
    NewToken,
    TokenInfo,
    TokenList,
)
from selflearn.web._routes import errors
from selflearn.web._state import WebState, web_state
from selflearn.web._telemetry_views import cost, hit_rate, latency
from selflearn.web._tokens import (
    Caller,
    create_token,
    get_token,
    list_tokens,
    revoke_token,
    token_dict,
)

__all__ = ["router"]

router = APIRouter()
State = Annotated[WebState, Depends(web_state)]
Days = Annotated[int, Query(ge=1, le=366, description="How many days back.")]


@router.get(
    "/telemetry/latency",
    tags=["telemetry"],
    response_model=LatencyReport,
    summary="p50/p95 latency per pipeline stage over a window",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def telemetry_latency(
    state: State,
    window_minutes: Annotated[
        int, Query(ge=1, le=60 * 24 * 31, description="The window, in minutes back from now.")
    ] = 60,
) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return latency(session, now=state.clock(), window_minutes=window_minutes)


@router.get(
    "/telemetry/hit-rate",
    tags=["telemetry"],
    response_model=HitRateReport,
    summary="Retrieval hit rate per day",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def telemetry_hit_rate(state: State, days: Days = 14) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return hit_rate(session, now=state.clock(), days=days)


@router.get(
    "/telemetry/cost",
    tags=["telemetry"],
    response_model=CostReport,
    summary="Tokens and cost per day and per parameter version",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(422, 503)},
)
def telemetry_cost(state: State, days: Days = 14) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return cost(session, now=state.clock(), days=days)


@router.get(
    "/me",
    tags=["tokens"],
    response_model=Me,
    summary="Who the caller is (any role)",
    responses={**auth_responses(), **errors(503)},
)
def me(caller: Annotated[Caller, Depends(require("any"))]) -> dict[str, Any]:
    return {"name": caller.name, "role": caller.role, "token_id": str(caller.token_id)}


@router.get(
    "/tokens",
    tags=["tokens"],
    response_model=TokenList,
    summary="List API tokens that are not revoked (admin)",
    dependencies=[Depends(require("admin"))],
    responses={**auth_responses(), **errors(503)},
)
def get_tokens(state: State) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        return {"items": [token_dict(t) for t in list_tokens(session=session)]}


@router.post(
    "/tokens",
    tags=["tokens"],
    status_code=201,
    response_model=TokenInfo,
    summary="Make an API token (admin); the secret is in this answer only",
    dependencies=[Depends(require("admin"))],
    responses={**auth_responses(), **errors(400, 413, 415, 422, 503)},
)
def post_token(body: NewToken, state: State) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        issued = create_token(body.role, session=session, name=body.name)
        row = token_dict(get_token(str(issued.id), session=session))
    return {**row, "token": issued.token}


@router.delete(
    "/tokens/{token_id}",
    tags=["tokens"],
    response_model=TokenInfo,
    summary="Revoke an API token (admin; not the one the request is made with)",
    responses={**auth_responses(), **errors(404, 409, 422, 503)},
)
def delete_token(
    token_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    state: State,
    caller: Annotated[Caller, Depends(require("admin"))],
) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        if get_token(token_id, session=session).id == caller.token_id:
            raise ConflictError(
                "this is the token the request is made with: revoking it would lock you out",
                hint="Revoke it with another admin token, or `selflearn tokens revoke`.",
            )
        return token_dict(revoke_token(token_id, session=session, now=state.clock()))

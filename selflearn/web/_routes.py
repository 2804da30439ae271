"""The routes of the Student API: memories, search, chat turns and health.

Route functions are plain `def`: the memory service blocks on the database, so FastAPI runs
them in its thread pool. User ids may contain `/` (episode users do), so the path takes the
rest of the path up to the route's last segment.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from selflearn import __version__
from selflearn.errors import DatabaseUnavailableError
from selflearn.maas import MemoryService, SearchResult, TurnResult
from selflearn.web._auth import auth_responses, require
from selflearn.web._owner_schemas import MAX_OFFSET
from selflearn.web._schemas import (
    AddMemoriesRequest,
    AddMemoriesResponse,
    ChatRequest,
    DeleteMemoriesResponse,
    ErrorEnvelope,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    MemoryList,
    SearchRequest,
)

__all__ = ["errors", "router"]

logger = logging.getLogger(__name__)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI entries of these error statuses (all with the error envelope)."""
    meaning = {
        400: "Invalid input (empty or oversized text, bad id, non-UTF-8 body).",
        404: "Unknown id (version, campaign, proposal, memory...).",
        409: "Conflicts with the current state (already decided, already running...).",
        413: "The request body is larger than 1 MB.",
        415: "The request body is not JSON (Content-Type: application/json).",
        422: "The request does not match the schema.",
        502: "The LLM or embedding provider failed.",
        503: "The database is unavailable.",
    }
    return {s: {"model": ErrorEnvelope, "description": meaning[s]} for s in statuses}


_COMMON = (400, 413, 415, 422, 503)


def get_service(request: Request) -> MemoryService:
    """Return the app's memory service (built on first use)."""
    service: MemoryService = request.app.state.student
    return service


Service = Annotated[MemoryService, Depends(get_service)]

router = APIRouter()
#: The Student's routes hold personal data: only its caller (service) or an admin.
STUDENT = Depends(require("student"))


@router.post(
    "/users/{user_id:path}/memories",
    status_code=201,
    response_model=AddMemoriesResponse,
    tags=["memories"],
    summary="Add a batch of memories",
    description="Store memories for a user, all or none: if any item is invalid, nothing is "
    "stored. Near-duplicates of existing memories merge into them (`merged: true`).",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(*_COMMON, 502)},
)
def add_memories(user_id: str, body: AddMemoriesRequest, service: Service) -> AddMemoriesResponse:
    added = service.add_memories(
        user_id, body.items, now=body.now, merge_duplicates=body.merge_duplicates
    )
    return AddMemoriesResponse(items=added)


@router.get(
    "/users/{user_id:path}/memories",
    response_model=MemoryList,
    tags=["memories"],
    summary="List a user's memories",
    description="Memories newest first. A user never seen has no memories: the list is empty.",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(400, 422, 503)},
)
def list_memories(
    user_id: str,
    service: Service,
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="At most this many.")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many first.")] = 0,
) -> MemoryList:
    items = service.list_memories(user_id, limit=limit, offset=offset)
    return MemoryList(user_id=user_id.strip(), items=items)


@router.delete(
    "/users/{user_id:path}/memories",
    response_model=DeleteMemoriesResponse,
    tags=["memories"],
    summary="Delete a user's memories",
    description="Without `ids`, delete all of the user's memories (0 for an unknown user). "
    "With `ids`, delete exactly those: if any is not the user's, nothing is deleted (404).",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(400, 404, 422, 503)},
)
def delete_memories(
    user_id: str,
    service: Service,
    ids: Annotated[
        list[str] | None, Query(description="Memory ids (UUIDs); repeat the parameter.")
    ] = None,
) -> DeleteMemoriesResponse:
    return DeleteMemoriesResponse(deleted=service.delete_memories(user_id, ids))


@router.post(
    "/users/{user_id:path}/search",
    response_model=SearchResult,
    tags=["search"],
    summary="Search a user's memories",
    description="Hybrid (dense + lexical) retrieval over one user's memories on the selected "
    "parameters. Nothing is stored and no telemetry is written.",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(*_COMMON, 404, 502)},
)
def search(user_id: str, body: SearchRequest, service: Service) -> SearchResult:
    return service.search(
        user_id,
        body.query,
        params=body.params,
        version_id=body.version_id,
        experiment_id=body.experiment_id,
        variant=body.variant,
        now=body.now,
    )


@router.post(
    "/users/{user_id:path}/chat",
    response_model=TurnResult,
    tags=["chat"],
    summary="Run one Student turn",
    description="Answer a user message from the user's memories, remember the message, and "
    "record telemetry. The parameters are resolved once, at the start of the turn.",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(*_COMMON, 404, 502)},
)
def chat_turn(user_id: str, body: ChatRequest, service: Service) -> TurnResult:
    return service.chat_turn(
        user_id,
        body.message,
        version_id=body.version_id,
        experiment_id=body.experiment_id,
        variant=body.variant,
        cycle_type=body.cycle_type,
        episode_id=body.episode_id,
        now=body.now,
        params=body.params,
        speaker=body.speaker,
        relevant_turn_ids=body.relevant_turn_ids,
        turn_id=body.turn_id,
    )


@router.post(
    "/users/{user_id:path}/feedback",
    response_model=FeedbackResponse,
    tags=["chat"],
    summary="Record the user's feedback on an answer",
    description="Credit the memories an answer used (the turn's `used_memory_ids`) when the "
    "user found it helpful; the deep cycle's quality score reads the count. If any id is "
    "not the user's, nothing is recorded (404).",
    dependencies=[STUDENT],
    responses={**auth_responses(), **errors(400, 404, 422, 503)},
)
def record_feedback(user_id: str, body: FeedbackRequest, service: Service) -> FeedbackResponse:
    credited = service.record_feedback(user_id, body.memory_ids, helpful=body.helpful)
    return FeedbackResponse(credited=credited)


@router.get(
    "/health",
    response_model=Health,
    tags=["health"],
    summary="Check the server and its database",
    description="200 when the server answers and its database runs `SELECT 1`; else 503.",
    responses=errors(400, 503),
)
def health(service: Service) -> Health:
    try:
        with service.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        # The driver's message may name hosts and users: it goes to the log, not the client.
        logger.warning("health check failed: %s", error)
        raise DatabaseUnavailableError("the database does not answer") from None
    return Health(status="ok", version=__version__, database="ok")

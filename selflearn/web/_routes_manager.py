"""Owner API: the Manager chat (reply streamed as server-sent events) and the owner's goals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select

from selflearn.graph import CampaignOptions, parse_goal_text
from selflearn.store import session_scope
from selflearn.store.models import Goal
from selflearn.web._auth import auth_responses, require
from selflearn.web._chat import ConsoleTools, conversation, talk
from selflearn.web._owner_schemas import ChatMessage, ChatReply, Conversation, GoalList, GoalText
from selflearn.web._routes import errors
from selflearn.web._sse import SSE_MEDIA_TYPE, sse_response, static_events
from selflearn.web._state import WebState, web_state

__all__ = ["router"]

router = APIRouter()
State = Annotated[WebState, Depends(web_state)]
_BODY = (413, 415, 422)


def _defaults(request: Request) -> CampaignOptions:
    options: CampaignOptions = request.app.state.campaign_defaults
    return options


def _pieces(text: str) -> Iterator[str]:
    # Line by line, then word by word: the page shows the reply as it arrives.
    for line in text.splitlines(keepends=True):
        words = line.split(" ")
        for index, word in enumerate(words):
            yield word + (" " if index < len(words) - 1 else "")


@router.post(
    "/manager/messages",
    tags=["manager"],
    response_model=ChatReply,
    summary="Say something to the Manager",
    description="The same Manager as `selflearn chat`. Without `conversation_id` a new "
    "conversation starts. With `Accept: text/event-stream` the reply is streamed: one "
    "`tool` event per tool the Manager called, `delta` events with the text, and `reply` "
    "with the whole answer; otherwise it is one JSON object. A goal is only saved after "
    "a 'yes' (the reply's `pending` holds it as a card to confirm).",
    dependencies=[Depends(require("operate"))],
    responses={
        200: {
            "description": "The reply (JSON, or events with Accept: text/event-stream).",
            "content": {
                **sse_response(["tool", "delta", "reply"], "")["content"],
                "application/json": {"schema": {"$ref": "#/components/schemas/ChatReply"}},
            },
        },
        **auth_responses(),
        **errors(400, *_BODY, 502, 503),
    },
)
def send_message(body: ChatMessage, request: Request, state: State) -> Any:
    reply = talk(state, _defaults(request), body.message, body.conversation_id)
    if SSE_MEDIA_TYPE not in request.headers.get("accept", ""):
        return JSONResponse(ChatReply.model_validate(reply).model_dump(mode="json"))
    events: list[tuple[str, Any]] = [("tool", tool) for tool in reply["tools"]]
    events += [("delta", {"text": piece}) for piece in _pieces(reply["text"])]
    events.append(("reply", reply))
    return StreamingResponse(
        static_events(events), media_type=SSE_MEDIA_TYPE, headers={"Cache-Control": "no-cache"}
    )


@router.get(
    "/manager/conversations/{conversation_id}",
    tags=["manager"],
    response_model=Conversation,
    summary="Read a conversation with the Manager",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(404, 422, 503)},
)
def read_conversation(
    conversation_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    state: State,
) -> dict[str, Any]:
    return conversation(state, conversation_id)


def _goal_item(row: Goal | None, spec: Any) -> dict[str, Any]:
    return {
        "id": None if row is None else str(row.id),
        "text": spec.text,
        "status": "preview" if row is None else row.status,
        "summary": spec.summary(),
        "spec": spec.model_dump(mode="json"),
        "created_at": None if row is None else row.created_at.isoformat(),
    }


@router.get(
    "/goals",
    tags=["goals"],
    response_model=GoalList,
    summary="List the owner's goals, newest first (the current one is `active`)",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(503)},
)
def list_goals(state: State) -> dict[str, Any]:
    from selflearn.agents.manager import GoalSpec

    with session_scope(state.engine) as session:
        rows = session.scalars(select(Goal).order_by(Goal.created_at.desc()).limit(100)).all()
        return {"items": [_goal_item(r, GoalSpec.model_validate(r.spec)) for r in rows]}


@router.post(
    "/goals/preview",
    tags=["goals"],
    response_model=GoalList,
    summary="Read a goal as the Manager would, without saving it",
    dependencies=[Depends(require("read"))],
    responses={**auth_responses(), **errors(400, *_BODY, 503)},
)
def preview_goal(body: GoalText) -> dict[str, Any]:
    return {"items": [_goal_item(None, parse_goal_text(body.text))]}


@router.post(
    "/goals",
    tags=["goals"],
    status_code=201,
    response_model=GoalList,
    summary="Set the current goal (it replaces the previous one)",
    dependencies=[Depends(require("operate"))],
    responses={**auth_responses(), **errors(400, *_BODY, 503)},
)
def set_goal(body: GoalText, request: Request, state: State) -> dict[str, Any]:
    spec = parse_goal_text(body.text)
    record = ConsoleTools(state, _defaults(request)).set_goal(spec)
    with session_scope(state.engine) as session:
        row = session.get(Goal, uuid.UUID(record.id))
        assert row is not None
        return {"items": [_goal_item(row, spec)]}

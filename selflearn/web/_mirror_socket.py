"""The mirror loop's WebSocket: live events out, turns and feedback requests in.

Connect to `/api/v1/mirror/ws` with a token (`Authorization: Bearer TOKEN`, `?token=TOKEN`,
or the console's session cookie); without a valid one the socket closes with 1008 (policy
violation). Every client receives `{"type", "data"}` messages: `hello` first, then the
loop's `field`, `feedback`, `episode` and `policy` events and the hub's `heatmap`. Clients
whose role may steer (operator, admin, service) may send:

- `{"type": "turn", "user_id": "...", "text": "...", "id": 1}`: a turn updates the field;
- `{"type": "feedback", "user_id": "...", "id": 2}`: the hub's choice for that user, answered
  to the sender as `{"type": "feedback_result", "id": 2, "data": {...}}`;
- `{"type": "ping", "id": 3}`: answered with `pong`.

A malformed message, a role that may not, or more messages than the per-client rate limit
are answered with `{"type": "error", "id", "error": {"code", "message", "hint"}}`; the
socket stays open and nothing is logged for them.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import anyio
from anyio import to_thread
from fastapi import WebSocket
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect

from selflearn.errors import InvalidInputError, PermissionDeniedError, SelflearnError
from selflearn.store import session_scope
from selflearn.web._auth import PERMISSIONS, SESSION_COOKIE
from selflearn.web._errors import envelope
from selflearn.web._mirror_hub import HubClient, LiveHub
from selflearn.web._state import WebState
from selflearn.web._tokens import Caller, authenticate, session_caller

__all__ = ["MESSAGE_LIMIT", "POLICY_VIOLATION", "RateLimit", "mirror_socket"]

logger = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
INTERNAL_ERROR = 1011
#: The largest message a client may send, in characters.
MESSAGE_LIMIT = 16_384
#: Roles that may send turns and ask for feedback (viewers only watch).
STEER = frozenset({"operator", "admin", "service"})
UserId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
MessageId = int | Annotated[str, Field(max_length=64)] | None


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: MessageId = None


class TurnMessage(_Message):
    """A user's turn: its text updates the field (only aggregates are kept)."""

    type: Literal["turn"]
    user_id: UserId
    text: Annotated[str, Field(min_length=1, max_length=8000)]


class FeedbackMessage(_Message):
    """Ask the hub for its feedback to a user (tone, intensity, message)."""

    type: Literal["feedback"]
    user_id: UserId


class PingMessage(_Message):
    """Is the hub there?"""

    type: Literal["ping"]


ClientMessage = Annotated[TurnMessage | FeedbackMessage | PingMessage, Field(discriminator="type")]
_ADAPTER: TypeAdapter[TurnMessage | FeedbackMessage | PingMessage] = TypeAdapter(ClientMessage)


class RateLimit:
    """A token bucket: `rate` messages a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = time.monotonic()

    def allow(self) -> bool:
        """Take one token if there is one."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


def _error(code: str, message: str, hint: str, message_id: Any = None) -> str:
    return json.dumps({"type": "error", "id": message_id, **envelope(code, message, hint)})


def _token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else ""
    return websocket.query_params.get("token")


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


def _caller(websocket: WebSocket, state: WebState) -> Caller | None:
    token = _token(websocket)
    with session_scope(state.engine) as session:
        if token is not None:
            return authenticate(token, session=session, now=state.clock()) if token else None
        cookie = websocket.cookies.get(SESSION_COOKIE)
        if not cookie or not _same_origin(websocket):
            return None
        return session_caller(cookie, session=session, now=state.clock())


async def mirror_socket(websocket: WebSocket) -> None:
    """Serve one live client of the mirror hub (see the module's doc)."""
    state: WebState = websocket.app.state.web
    hub: LiveHub = websocket.app.state.mirror_hub
    try:
        caller = await to_thread.run_sync(_caller, websocket, state)
    except SelflearnError as error:
        await websocket.accept()
        await websocket.close(INTERNAL_ERROR, reason=str(error)[:120])
        return
    await websocket.accept()
    if caller is None or caller.role not in PERMISSIONS["any"]:
        await websocket.close(
            POLICY_VIOLATION, reason="a valid token is needed: ?token=, Bearer, or log in"
        )
        return
    client = hub.connect(caller.role)
    client.offer(json.dumps({"type": "hello", "data": {"client": client.id, "role": caller.role}}))
    left = False
    try:
        async with anyio.create_task_group() as group:

            async def send() -> None:
                await _send(websocket, client)
                group.cancel_scope.cancel()

            async def receive() -> None:
                nonlocal left
                await _receive(websocket, client, hub)
                left = True
                group.cancel_scope.cancel()

            group.start_soon(send)
            group.start_soon(receive)
    finally:
        hub.disconnect(client)
    if not left:  # dropped for falling behind, or the server is stopping
        try:
            await websocket.close(client.close_code)
        except (RuntimeError, WebSocketDisconnect, OSError):
            pass  # already closed by the client


async def _send(websocket: WebSocket, client: HubClient) -> None:
    while True:
        message = await client.queue.get()
        if message is None:
            return
        try:
            await websocket.send_text(message)
        except (RuntimeError, WebSocketDisconnect, OSError):
            return  # gone mid-push: the others are not affected


async def _receive(websocket: WebSocket, client: HubClient, hub: LiveHub) -> None:
    limit = RateLimit(hub.rate_per_second, hub.rate_burst)
    while True:
        try:
            received = await websocket.receive()
        except (RuntimeError, WebSocketDisconnect, OSError):
            return
        if received["type"] == "websocket.disconnect":
            return
        reply = await _answer(received.get("text"), client, hub, limit)
        if reply is not None:
            client.offer(reply)


async def _answer(text: str | None, client: HubClient, hub: LiveHub, limit: RateLimit) -> str:
    if text is None:
        return _error(
            InvalidInputError.code, "send text frames of JSON", "Encode messages as JSON text."
        )
    if len(text) > MESSAGE_LIMIT:
        return _error(
            InvalidInputError.code,
            f"the message is longer than {MESSAGE_LIMIT} characters",
            "Send one turn per message, with the text shortened.",
        )
    try:
        message = _ADAPTER.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "message"
        return _error(
            InvalidInputError.code,
            f"{where}: {first.get('msg', 'invalid')}",
            'Send {"type": "turn", "user_id", "text"}, {"type": "feedback", "user_id"} '
            'or {"type": "ping"}.',
        )
    if not limit.allow():
        return _error(
            "rate_limited",
            f"more than {hub.rate_per_second:g} messages a second from this client",
            "Slow down; nothing of the refused message was logged.",
            message.id,
        )
    if isinstance(message, PingMessage):
        return json.dumps({"type": "pong", "id": message.id})
    if client.role not in STEER:
        return _error(
            PermissionDeniedError.code,
            f"the {client.role} role may only watch",
            "Use an operator, admin or service token to send turns or ask for feedback.",
            message.id,
        )
    try:
        if isinstance(message, TurnMessage):
            field = await to_thread.run_sync(hub.loop.observe, message.user_id, message.text)
            return json.dumps({"type": "turn_result", "id": message.id, "data": field.as_dict()},
                              default=str)  # fmt: skip
        feedback = await to_thread.run_sync(hub.loop.feedback, message.user_id)
    except SelflearnError as error:
        payload = error.to_dict()
        return json.dumps({"type": "error", "id": message.id, **envelope(**payload)})
    return json.dumps(
        {"type": "feedback_result", "id": message.id, "data": feedback.as_dict()}, default=str
    )

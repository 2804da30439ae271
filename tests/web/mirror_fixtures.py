"""Helpers of the mirror tests: a clock the test moves, and a WebSocket conversation."""

from __future__ import annotations

from typing import Any

from tests.factories import StepClock as ManualClock

__all__ = ["API", "ManualClock", "ask", "socket_url", "until"]

API = "/api/v1/mirror"


def socket_url(token: str | None = None, prefix: str = API) -> str:
    return f"{prefix}/ws" + (f"?token={token}" if token is not None else "")


def until(ws: Any, kind: str, message_id: Any = None, limit: int = 200) -> dict[str, Any]:
    """Read messages until one of `kind` (with `message_id`, when given) arrives."""
    seen = []
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind and (message_id is None or message.get("id") == message_id):
            return message
        seen.append(message["type"])
    raise AssertionError(f"no {kind} message in {limit}: {seen[-20:]}")


def ask(ws: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Send `payload` and return the answer to it (its result or an error with its id)."""
    ws.send_json(payload)
    for _ in range(200):
        message = ws.receive_json()
        if message.get("id") == payload.get("id") and message["type"] in (
            "turn_result",
            "feedback_result",
            "pong",
            "error",
        ):
            return message
    raise AssertionError(f"no answer to {payload}")

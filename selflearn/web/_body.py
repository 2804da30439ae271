"""Refuse bodies too large, not JSON or not UTF-8 before any route reads them; and unknown query
parameters."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from selflearn.errors import InvalidInputError
from selflearn.web._errors import PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, error_response

__all__ = ["MAX_BODY_BYTES", "BodyGuard", "reject_unknown_query"]

MAX_BODY_BYTES = 1024 * 1024
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


def _too_large(limit: int) -> JSONResponse:
    return error_response(
        413,
        PAYLOAD_TOO_LARGE,
        f"the request body is larger than {limit} bytes",
        "Send less at once: split a batch of memories, or shorten the text.",
    )


def _not_json(content_type: str) -> JSONResponse:
    return error_response(
        415,
        UNSUPPORTED_MEDIA_TYPE,
        f"the request body must be JSON, not {content_type or 'untyped'}",
        "Send the body as JSON with the header Content-Type: application/json.",
    )


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _is_form(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"


def _not_utf8(position: int) -> JSONResponse:
    return error_response(
        400,
        InvalidInputError.code,
        f"the request body is not valid UTF-8 (first bad byte at offset {position})",
        "Encode the JSON body as UTF-8.",
    )


def _holds_nul(body: bytes) -> bool:
    # PostgreSQL text cannot hold NUL; JSON can (\u0000). Only bodies that spell it are parsed.
    try:
        pending = [json.loads(body)]
    except ValueError:
        return False  # malformed JSON: the route's validation answers it
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _nul() -> JSONResponse:
    return error_response(
        400,
        InvalidInputError.code,
        "the request body holds a NUL character (\\u0000), which text cannot contain",
        "Remove the NUL characters from the text.",
    )


class BodyGuard:
    """ASGI middleware: read the whole body once, check size, type and encoding, then replay it.

    The size is checked against Content-Length first and again while reading, so a client
    that lies about the length cannot make the server buffer more than the limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES, api_prefix: str = "/api/"
    ) -> None:
        """Bodies under `api_prefix` must be JSON; the console's pages also take HTML forms."""
        self.app = app
        self.max_bytes = max_bytes
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(self.max_bytes)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        form_allowed = not str(scope.get("path", "")).startswith(self.api_prefix)
        if body and not _is_json(content_type) and not (form_allowed and _is_form(content_type)):
            await _not_json(content_type)(scope, receive, send)
            return
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            await _not_utf8(error.start)(scope, receive, send)
            return
        if b"\\u0000" in body and _holds_nul(body):
            await _nul()(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later reads wait for the disconnect, as the server's would

    return replayed


def reject_unknown_query(request: Request) -> None:
    """Refuse query parameters the route does not declare (as bodies refuse unknown fields).

    A misspelt `limt=5` would otherwise be ignored silently and the caller never learn why
    the limit did not apply.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {param.alias for param in _query_params(dependant)}
    unknown = sorted(set(request.query_params.keys()) - known)
    if unknown:
        raise InvalidInputError(
            f"unknown query parameter {unknown[0]!r}",
            hint="See /openapi.json for the parameters this route takes"
            + (f": {', '.join(sorted(known))}." if known else " (none)."),
        )


def _query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _query_params(sub)
    return found

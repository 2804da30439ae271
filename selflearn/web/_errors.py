"""One error envelope for every failure of the HTTP API, and its way back to error classes.

Every error answer has the body `{"error": {"code", "message", "hint"}}` (plus `rule` for a
Tuner rule and `details` for a malformed request). The server picks the status from the
error class; the client turns the envelope back into the same class by its `code`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from selflearn.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PgvectorMissingError,
    ProviderError,
    ProviderTimeoutError,
    RuleViolation,
    SelflearnError,
    StoreError,
)

__all__ = [
    "INVALID_REQUEST",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "envelope",
    "error_from_envelope",
    "error_response",
    "install_error_handlers",
    "status_for",
]

logger = logging.getLogger(__name__)

# Codes only the HTTP layer produces; the client maps them to InvalidInputError.
INVALID_REQUEST = "invalid_request"
PAYLOAD_TOO_LARGE = "payload_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"

# Most specific first: the first class an error is an instance of decides its status.
_STATUS: tuple[tuple[type[SelflearnError], int], ...] = (
    (InvalidInputError, 400),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RuleViolation, 409),
    (DatabaseUnavailableError, 503),
    (PgvectorMissingError, 503),
    (StoreError, 500),  # reachable, but the operation failed: a server-side fault
    (ProviderTimeoutError, 504),
    (ProviderError, 502),
    (ConfigError, 500),
)

_BY_STATUS: dict[int, type[SelflearnError]] = {
    400: InvalidInputError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: InvalidInputError,
    409: ConflictError,
    413: InvalidInputError,
    415: InvalidInputError,
    422: InvalidInputError,
    502: ProviderError,
    503: DatabaseUnavailableError,
    504: ProviderTimeoutError,
}


def status_for(error: SelflearnError) -> int:
    """Return the HTTP status that answers `error`."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def envelope(code: str, message: str, hint: str = "", **extra: Any) -> dict[str, Any]:
    """Return the JSON body of an error answer."""
    return {"error": {"code": code, "message": message, "hint": hint, **extra}}


def error_response(
    status: int, code: str, message: str, hint: str = "", **extra: Any
) -> JSONResponse:
    """Return a JSON error answer."""
    return JSONResponse(envelope(code, message, hint, **extra), status_code=status)


def _known_codes() -> dict[str, type[SelflearnError]]:
    codes: dict[str, type[SelflearnError]] = {}
    pending: list[type[SelflearnError]] = [SelflearnError]
    while pending:
        cls = pending.pop()
        codes.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return codes


def error_from_envelope(status: int, body: object) -> SelflearnError:
    """Rebuild the project error an error answer stands for (by code, else by status)."""
    detail = body.get("error") if isinstance(body, dict) else None
    if not isinstance(detail, dict):
        detail = {}
    code = str(detail.get("code") or f"http_{status}")
    message = str(detail.get("message") or f"the Student answered HTTP {status}")
    hint = str(detail.get("hint") or "")
    cls = _known_codes().get(code)
    if cls is RuleViolation:
        return RuleViolation(message, rule=str(detail.get("rule") or "unknown"), hint=hint)
    if cls is None:
        fallback = _BY_STATUS.get(status, SelflearnError)
        error = fallback(message, hint=hint)
        error.code = code  # keep the server's code, which says more than the class
        return error
    return cls(message, hint=hint)


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    # Only the JSON-safe parts: pydantic's `ctx` may hold exception objects.
    return [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))}
        for item in error.errors()
    ]


async def _on_selflearn_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SelflearnError)
    status = status_for(exc)
    if status >= 500:
        logger.warning("%s %s failed: %s (%s)", request.method, request.url.path, exc, exc.code)
    payload = exc.to_dict()
    response = error_response(status, **payload)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="selflearn"'
    return response


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    first = details[0] if details else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"]) or "request"
    return error_response(
        422,
        INVALID_REQUEST,
        f"{where}: {first['msg']}",
        "Check the request against the schema at /openapi.json.",
        details=details,
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = str(exc.detail)
    if exc.status_code == 404 and any(ord(char) < 32 for char in request.scope["path"]):
        # No route matches a path segment holding a control character (a user id with a
        # newline): that is bad input, not an unknown route.
        return error_response(
            400,
            InvalidInputError.code,
            "the path holds a control character (a newline, a tab...)",
            "Ids may not contain control characters; percent-encode only printable text.",
        )
    if exc.status_code == 404:
        code, hint = "not_found", "See /docs for the routes of the API."
        message = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        code, hint = "method_not_allowed", "See /docs for the methods each route accepts."
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        code, hint = f"http_{exc.status_code}", ""
    response = error_response(exc.status_code, code, message, hint)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; list them all.
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    scope = {**request.scope, "method": "GET"}
    methods: set[str] = set()
    for route in request.app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] != Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("%s %s crashed", request.method, request.url.path)
    return error_response(
        500,
        "internal",
        "the server failed to handle this request",
        "This is a bug; the server log has the details.",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error with the envelope and the status its class calls for."""
    app.add_exception_handler(SelflearnError, _on_selflearn_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)

"""Who may call what: a Bearer token or a console session cookie, checked against a role.

Permissions, not roles, guard the routes: `read` (viewer, operator, admin), `operate`
(operator, admin: chat, campaigns, approvals, goals), `admin` (activate, roll back, tokens)
`student` (service, admin: the Student's memory routes) and `steer` (operator, admin, service:
a user's mirror opt-out). A request authenticated by the
session cookie must also carry the session's CSRF token on every state-changing call.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from selflearn.errors import AuthenticationError, PermissionDeniedError
from selflearn.store import session_scope
from selflearn.web._state import WebState, web_state
from selflearn.web._tokens import Caller, authenticate, session_caller

__all__ = [
    "CSRF_HEADER",
    "PERMISSIONS",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "Permission",
    "auth_responses",
    "caller_from_cookie",
    "check_csrf",
    "require",
]

Permission = Literal["any", "read", "operate", "admin", "student", "steer"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "any": frozenset({"viewer", "operator", "admin", "service"}),
    "read": frozenset({"viewer", "operator", "admin"}),
    "operate": frozenset({"operator", "admin"}),
    "admin": frozenset({"admin"}),
    "student": frozenset({"service", "admin"}),
    # A user's mirror opt-out: the Student's caller sets it for its users, the owner too.
    "steer": frozenset({"operator", "admin", "service"}),
}
SESSION_COOKIE = "selflearn_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `selflearn tokens create --role ROLE`.",
)


def caller_from_cookie(request: Request, state: WebState) -> Caller | None:
    """Return the caller of the request's console session cookie, if it is live."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with session_scope(state.engine) as session:
        return session_caller(cookie, session=session, now=state.clock())


def check_csrf(caller: Caller, supplied: str | None) -> None:
    """Refuse a cookie-authenticated change that does not carry the session's CSRF token."""
    expected = caller.csrf_token or ""
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise PermissionDeniedError(
            "this change needs the console's CSRF token",
            hint=f"Send the {CSRF_HEADER} header the console page gives (reload the page), "
            "or call the API with `Authorization: Bearer TOKEN`.",
        )


def _caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    state: WebState,
) -> Caller:
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):
        return cached
    header = request.headers.get("authorization")
    if header is not None:
        if credentials is None or not credentials.credentials.strip():
            raise AuthenticationError("the Authorization header must read `Bearer TOKEN`")
        with session_scope(state.engine) as session:
            caller = authenticate(credentials.credentials, session=session, now=state.clock())
        if caller is None:
            raise AuthenticationError("the token is unknown or was revoked")
    else:
        found = caller_from_cookie(request, state)
        if found is None:
            raise AuthenticationError("this route needs a token")
        if request.method not in SAFE_METHODS:
            check_csrf(found, request.headers.get(CSRF_HEADER))
        caller = found
    request.state.caller = caller
    return caller


def require(permission: Permission) -> Callable[..., Caller]:
    """Return a dependency that answers 401 without a caller and 403 for a role that may not."""
    allowed = PERMISSIONS[permission]

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        state: Annotated[WebState, Depends(web_state)],
    ) -> Caller:
        caller = _caller(request, credentials, state)
        if caller.role not in allowed:
            raise PermissionDeniedError(
                f"the {caller.role} role may not do this (it needs one of: "
                f"{', '.join(sorted(allowed))})",
                hint="Use a token with a role that may, or ask an admin for one.",
            )
        return caller

    dependency.__name__ = f"require_{permission}"
    return dependency


def auth_responses() -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI entries of 401 and 403 (and of 400, which any route may answer)."""
    from selflearn.web._schemas import ErrorEnvelope

    return {
        400: {
            "model": ErrorEnvelope,
            "description": "Invalid input (e.g. an unknown query parameter).",
        },
        401: {"model": ErrorEnvelope, "description": "No token, or an unknown or revoked one."},
        403: {"model": ErrorEnvelope, "description": "The token's role may not do this."},
    }

"""The console: server-rendered pages at `/`, logged in with a token, every form CSRF-checked.

Logging in turns a token into a session cookie (HttpOnly, SameSite=Strict, Secure over
HTTPS). Pages need the `read` permission; each form names the permission it needs and
carries the session's CSRF token. The chat and live progress use the owner API from the
page's own script with the same cookie and an X-CSRF-Token header.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from selflearn.errors import AuthenticationError, PermissionDeniedError, SelflearnError
from selflearn.store import session_scope
from selflearn.web._auth import PERMISSIONS, SESSION_COOKIE, caller_from_cookie, check_csrf
from selflearn.web._console_forms import FORMS, FormAction
from selflearn.web._console_pages import (
    approvals_page,
    campaign_view,
    campaigns_view,
    chat_page,
    overview_page,
    parameters_page,
    telemetry_page,
)
from selflearn.web._errors import status_for
from selflearn.web._mirror_views import USER_ID, mirror_page
from selflearn.web._state import WebState
from selflearn.web._templates import render_page
from selflearn.web._tokens import (
    SESSION_LIFETIME,
    Caller,
    authenticate,
    close_session,
    open_session,
)

__all__ = ["install_console"]

STATIC = Path(__file__).parent / "static"
LOGIN_CSRF_COOKIE = "selflearn_login_csrf"
router = APIRouter(include_in_schema=False)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def html(
    request: Request, template: str, caller: Caller | None, code: int = 200, **ctx: Any
) -> HTMLResponse:
    """Return a rendered page with the console's security headers."""
    body = render_page(
        template,
        caller=caller,
        can=lambda permission: caller is not None and caller.role in PERMISSIONS[permission],
        path=request.url.path,
        **ctx,
    )
    response = HTMLResponse(body, status_code=code)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, caller: Caller | None, error: SelflearnError) -> Response:
    """Return the page of a refused action: what went wrong and what to do."""
    return html(request, "error.html", caller, status_for(error), error=error)


async def _page(
    request: Request, template: str, build: Callable[[WebState], dict[str, Any]]
) -> Response:
    state = _state(request)
    caller = await run_in_threadpool(caller_from_cookie, request, state)
    if caller is None:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    if caller.role not in PERMISSIONS["read"]:
        return error_page(request, caller, PermissionDeniedError("the service role has no pages"))
    try:
        data = await run_in_threadpool(build, state)
    except SelflearnError as error:
        return error_page(request, caller, error)
    return html(request, template, caller, **data)


def _int(value: str | None, default: int, low: int = 1, high: int = 2_147_483_647) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, low), high)


@router.get("/")
async def overview(request: Request) -> Response:
    return await _page(request, "overview.html", overview_page)


@router.get("/chat")
async def chat(request: Request) -> Response:
    conversation = request.query_params.get("conversation")
    if conversation and not conversation.replace("-", "").replace("_", "").isalnum():
        conversation = None
    return await _page(request, "chat.html", lambda s: chat_page(s, conversation))


@router.get("/approvals")
async def approvals(request: Request) -> Response:
    return await _page(request, "approvals.html", approvals_page)


@router.get("/campaigns")
async def campaigns(request: Request) -> Response:
    status = request.query_params.get("status") or None
    page = _int(request.query_params.get("page"), 1, high=100_000)
    return await _page(
        request, "campaigns.html", lambda s: campaigns_view(s, page=page, status=status)
    )


@router.get("/campaigns/{campaign_id}")
async def campaign(request: Request, campaign_id: str) -> Response:
    return await _page(request, "campaign.html", lambda s: campaign_view(s, campaign_id[:64]))


@router.get("/parameters")
async def parameters(request: Request) -> Response:
    query = request.query_params
    version = _int(query.get("version"), 0, low=0) or None
    compare = _int(query.get("compare"), 0, low=0) or None
    page = _int(query.get("page"), 1, high=100_000)
    return await _page(
        request,
        "parameters.html",
        lambda s: parameters_page(s, version=version, compare=compare, page=page),
    )


@router.get("/telemetry")
async def telemetry(request: Request) -> Response:
    window = _int(request.query_params.get("window"), 60, high=60 * 24 * 31)
    days = _int(request.query_params.get("days"), 14, high=366)
    return await _page(
        request, "telemetry.html", lambda s: telemetry_page(s, window=window, days=days)
    )


@router.get("/mirror")
async def mirror(request: Request) -> Response:
    user = request.query_params.get("user") or "demo"
    user = user if USER_ID.fullmatch(user) else "demo"
    hub = request.app.state.mirror_hub
    return await _page(request, "mirror.html", lambda s: mirror_page(hub, user_id=user))


# -- logging in and out ------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = html(
        request, "login.html", None, next=request.query_params.get("next", "/"), nonce=nonce
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}


def _safe_next(target: str) -> str:
    # Only a path of this site: never an absolute URL a phishing link could slip in.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    state = _state(request)
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not nonce or not secrets.compare_digest(nonce, form.get("nonce", "")):
        expired = PermissionDeniedError(
            "the login form expired", hint="Reload the login page and try again."
        )
        return error_page(request, None, expired)

    def enter() -> tuple[str, Caller] | None:
        with session_scope(state.engine) as session:
            caller = authenticate(form.get("token", ""), session=session, now=state.clock())
            if caller is None or caller.role not in PERMISSIONS["read"]:
                return None
            cookie, _ = open_session(caller, session=session, now=state.clock())
            return cookie, caller

    entered = await run_in_threadpool(enter)
    if entered is None:
        error = AuthenticationError(
            "that token is unknown, revoked, or a service token (which has no pages)",
            hint="Use the admin token `selflearn serve` printed, or make one with "
            "`selflearn tokens create --role viewer|operator|admin`.",
        )
        nonce = secrets.token_urlsafe(24)
        page = html(request, "login.html", None, 401, next=form.get("next", "/"),
                    nonce=nonce, error=error)  # fmt: skip
        page.set_cookie(
            LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request)
        )
        return page
    response = RedirectResponse(_safe_next(form.get("next", "/")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        entered[0],
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    state = _state(request)
    caller = await run_in_threadpool(caller_from_cookie, request, state)
    if caller is not None:
        check_csrf(caller, form.get("csrf_token"))
        cookie = request.cookies.get(SESSION_COOKIE, "")

        def leave() -> None:
            with session_scope(state.engine) as session:
                close_session(cookie, session=session)

        await run_in_threadpool(leave)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- forms -------------------------------------------------------------------------------


def _form_route(permission: str, action: FormAction) -> Callable[..., Any]:
    async def submit(request: Request) -> Response:
        state = _state(request)
        caller = await run_in_threadpool(caller_from_cookie, request, state)
        if caller is None:
            return RedirectResponse("/login", status_code=303)
        form = await _form(request)
        try:
            check_csrf(caller, form.get("csrf_token"))
            if caller.role not in PERMISSIONS[permission]:
                raise PermissionDeniedError(
                    f"the {caller.role} role may not do this",
                    hint="Log in with a token whose role may (see docs/console.md).",
                )
            path = {k: str(v) for k, v in request.path_params.items()}
            target = await run_in_threadpool(action, state, request, path, form)
        except SelflearnError as error:
            return error_page(request, caller, error)
        return RedirectResponse(target, status_code=303)

    return submit


for _path, _permission, _action in FORMS:
    router.add_api_route(_path, _form_route(_permission, _action), methods=["POST"])


def install_console(app: FastAPI) -> None:
    """Serve the console's pages, forms and assets on `app`."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)

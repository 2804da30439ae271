"""Every owner route and every Student route, called with no token and with each role.

No token answers 401; a role that may not answers 403 and changes nothing; a role that may
gets the route's own answer. Each call that changes something acts on a fresh object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from owner_fixtures import (
    active_number,
    campaign_row,
    other_version,
    pending_proposal,
)

from selflearn.store import session_scope
from selflearn.web import API_PREFIX as API
from selflearn.web import create_token
from tests.factories import bearer

READ = {"viewer", "operator", "admin"}
OPERATE = {"operator", "admin"}
ADMIN = {"admin"}
STUDENT = {"service", "admin"}
ANY = {"viewer", "operator", "admin", "service"}
STEER = {"operator", "admin", "service"}
ROLES = ("viewer", "operator", "admin", "service")


@dataclass(frozen=True)
class Case:
    """One route: how to call it, who may, and what a permitted call answers."""

    name: str
    method: str
    path: Callable[[Any], str]
    allowed: set[str]
    ok: int
    body: Callable[[Any], dict | None] = lambda db: None


def _new_token(database) -> str:
    with session_scope(database.engine) as session:
        return str(create_token("viewer", session=session, name="to revoke").id)


CASES = [
    Case("me", "GET", lambda db: "/me", ANY, 200),
    Case("campaigns", "GET", lambda db: "/campaigns", READ, 200),
    Case("campaign", "GET", lambda db: f"/campaigns/{campaign_row(db, 'done-1')}", READ, 200),
    Case("events", "GET", lambda db: f"/campaigns/{campaign_row(db, 'done-1')}/events", READ, 200),
    Case(
        "start (unreadable goal)",
        "POST",
        lambda db: "/campaigns",
        OPERATE,
        400,
        lambda db: {"goal": "make it smarter somehow", "budget": 2},
    ),
    Case(
        "resume (completed)",
        "POST",
        lambda db: f"/campaigns/{campaign_row(db, 'done-1')}/resume",
        OPERATE,
        409,
    ),
    Case(
        "stop (not running)",
        "POST",
        lambda db: f"/campaigns/{campaign_row(db, 'done-1')}/stop",
        OPERATE,
        409,
    ),
    Case("approvals", "GET", lambda db: "/approvals?status=all", READ, 200),
    Case("approval", "GET", lambda db: f"/approvals/{pending_proposal(db)}", READ, 200),
    Case(
        "approve",
        "POST",
        lambda db: f"/approvals/{pending_proposal(db)}/approve",
        OPERATE,
        200,
        lambda db: {"reason": "the evidence holds"},
    ),
    Case(
        "reject",
        "POST",
        lambda db: f"/approvals/{pending_proposal(db)}/reject",
        OPERATE,
        200,
        lambda db: {"reason": "not now"},
    ),
    Case("versions", "GET", lambda db: "/versions", READ, 200),
    Case("version", "GET", lambda db: f"/versions/{active_number(db)}", READ, 200),
    Case(
        "diff",
        "GET",
        lambda db: f"/versions/{other_version(db)}/diff/{active_number(db)}",
        READ,
        200,
    ),
    Case(
        "activate",
        "POST",
        lambda db: f"/versions/{other_version(db)}/activate",
        ADMIN,
        200,
        lambda db: {"reason": "back to a known state"},
    ),
    Case(
        "rollback",
        "POST",
        lambda db: "/versions/rollback",
        ADMIN,
        200,
        lambda db: {"reason": "worse answers", "to": other_version(db)},
    ),
    Case(
        "chat",
        "POST",
        lambda db: "/manager/messages",
        OPERATE,
        200,
        lambda db: {"message": "help", "conversation_id": "roles-chat"},
    ),
    Case("conversation", "GET", lambda db: "/manager/conversations/roles-seeded", READ, 200),
    Case("goals", "GET", lambda db: "/goals", READ, 200),
    Case(
        "goal preview",
        "POST",
        lambda db: "/goals/preview",
        READ,
        200,
        lambda db: {"text": "raise recall by 5 % without raising latency"},
    ),
    Case(
        "set goal",
        "POST",
        lambda db: "/goals",
        OPERATE,
        201,
        lambda db: {"text": "cut hallucinations below 5 % without losing recall"},
    ),
    Case("latency", "GET", lambda db: "/telemetry/latency?window_minutes=60", READ, 200),
    Case("hit rate", "GET", lambda db: "/telemetry/hit-rate?days=7", READ, 200),
    Case("cost", "GET", lambda db: "/telemetry/cost?days=7", READ, 200),
    Case("tokens", "GET", lambda db: "/tokens", ADMIN, 200),
    Case(
        "new token",
        "POST",
        lambda db: "/tokens",
        ADMIN,
        201,
        lambda db: {"role": "viewer", "name": "made by the test"},
    ),
    Case("revoke token", "DELETE", lambda db: f"/tokens/{_new_token(db)}", ADMIN, 200),
    Case("list memories", "GET", lambda db: "/users/roles-u/memories", STUDENT, 200),
    Case(
        "add memories",
        "POST",
        lambda db: "/users/roles-u/memories",
        STUDENT,
        201,
        lambda db: {"items": ["I grow tomatoes."]},
    ),
    Case("delete memories", "DELETE", lambda db: "/users/roles-u/memories", STUDENT, 200),
    Case(
        "search",
        "POST",
        lambda db: "/users/roles-u/search",
        STUDENT,
        200,
        lambda db: {"query": "tomatoes"},
    ),
    Case(
        "chat turn",
        "POST",
        lambda db: "/users/roles-u/chat",
        STUDENT,
        200,
        lambda db: {"message": "What do I grow?"},
    ),
    Case(
        "feedback",
        "POST",
        lambda db: "/users/roles-u/feedback",
        STUDENT,
        200,
        lambda db: {"memory_ids": [], "helpful": True},
    ),
    Case("mirror replay", "POST", lambda db: "/mirror/replay", ADMIN, 200),
    Case("mirror policy", "GET", lambda db: "/mirror/policy?bucket_key=14-M-P", READ, 200),
    Case("mirror stats", "GET", lambda db: "/mirror/stats", READ, 200),
    Case("mirror field", "GET", lambda db: "/mirror/field", READ, 200),
    Case("mirror profile", "GET", lambda db: "/mirror/users/roles-u", ANY, 200),
    Case(
        "mirror opt-out",
        "PUT",
        lambda db: "/mirror/users/roles-u",
        STEER,
        200,
        lambda db: {"mirror_enabled": True},
    ),
]


@pytest.fixture(scope="module")
def client(app, database) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as http:
        seeded = http.post(
            f"{API}/manager/messages",
            json={"message": "help", "conversation_id": "roles-seeded"},
            headers=bearer(_admin(database)),
        )
        assert seeded.status_code == 200, seeded.text
        yield http


def _admin(database) -> str:
    with session_scope(database.engine) as session:
        return create_token("admin", session=session, name="seed").token


def _call(client: TestClient, case: Case, database, headers: dict[str, str]):
    return client.request(
        case.method, API + case.path(database), json=case.body(database), headers=headers
    )


def test_every_route_but_health_is_documented_in_this_table(app):
    documented = {
        (method.upper(), path.removeprefix(API))
        for path, ops in app.openapi()["paths"].items()
        for method in ops
    }
    assert documented - {("GET", "/health")} == {(c.method, _template(c)) for c in CASES}


def _template(case: Case) -> str:
    templates = {
        "campaign": "/campaigns/{campaign_id}",
        "events": "/campaigns/{campaign_id}/events",
        "resume (completed)": "/campaigns/{campaign_id}/resume",
        "stop (not running)": "/campaigns/{campaign_id}/stop",
        "approval": "/approvals/{proposal_id}",
        "approve": "/approvals/{proposal_id}/approve",
        "reject": "/approvals/{proposal_id}/reject",
        "version": "/versions/{version}",
        "diff": "/versions/{version}/diff/{other}",
        "activate": "/versions/{version}/activate",
        "conversation": "/manager/conversations/{conversation_id}",
        "revoke token": "/tokens/{token_id}",
        "list memories": "/users/{user_id}/memories",
        "add memories": "/users/{user_id}/memories",
        "delete memories": "/users/{user_id}/memories",
        "search": "/users/{user_id}/search",
        "chat turn": "/users/{user_id}/chat",
        "feedback": "/users/{user_id}/feedback",
        "mirror profile": "/mirror/users/{user_id}",
        "mirror opt-out": "/mirror/users/{user_id}",
    }
    if case.name in templates:
        return templates[case.name]
    return case.path(None).split("?")[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_token_is_401_and_a_bad_one_too(client, database, case):
    for headers in ({}, bearer("slt_not-a-token"), {"Authorization": "Basic abc"}):
        response = _call(client, case, database, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_gets_403_or_the_routes_answer(client, database, tokens, case, role):
    response = _call(client, case, database, bearer(tokens[role]))
    if role in case.allowed:
        assert response.status_code == case.ok, response.text
    else:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "forbidden" and role in error["message"] and error["hint"]


def test_a_revoked_token_is_401(client, database, tokens):
    with session_scope(database.engine) as session:
        issued = create_token("admin", session=session, name="short-lived")
    assert client.get(f"{API}/me", headers=bearer(issued.token)).status_code == 200
    itself = client.delete(f"{API}/tokens/{issued.id}", headers=bearer(issued.token))
    assert itself.status_code == 409, "a token does not revoke itself"
    revoked = client.delete(f"{API}/tokens/{issued.id}", headers=bearer(tokens["admin"]))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(f"{API}/me", headers=bearer(issued.token)).status_code == 401


def test_health_needs_no_token(client):
    assert client.get(f"{API}/health").status_code == 200

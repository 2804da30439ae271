"""The console over HTTP: login into a session cookie, CSRF on every form, each page per role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from owner_fixtures import active_number, campaign_row, other_version, pending_proposal

from selflearn.store import session_scope
from selflearn.store.models import Proposal
from selflearn.web import API_PREFIX as API

PAGES = ["/", "/chat", "/approvals", "/campaigns", "/campaigns/done-1", "/parameters", "/telemetry"]


def login(app, token: str) -> TestClient:
    """Return a browser-like client logged in with `token`."""
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    form = client.get("/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)
    response = client.post("/login", data={"token": token, "nonce": nonce, "next": "/"})
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    return client


def csrf_of(client: TestClient, page: str = "/") -> str:
    return re.search(r'data-csrf="([^"]+)"', client.get(page).text).group(1)


@pytest.fixture(scope="module", autouse=True)
def _campaign(database):
    campaign_row(database, "done-1")


def test_pages_need_a_login(app):
    client = TestClient(app, follow_redirects=False)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_wrong_token_or_a_service_token_does_not_log_in(app, tokens):
    client = TestClient(app, follow_redirects=False)
    for token in ("slt_wrong", tokens["service"]):
        nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"token": token, "nonce": nonce})
        assert response.status_code == 401 and "selflearn_session" not in response.cookies
    # Without the login form's nonce (a forged cross-site post), nothing happens either.
    forged = TestClient(app, follow_redirects=False).post("/login", data={"token": tokens["admin"]})
    assert forged.status_code == 403 and "selflearn_session" not in forged.cookies


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_every_page_renders_for_each_reading_role(app, tokens, database, role):
    other_version(database)  # a history of at least two versions
    client = login(app, tokens[role])
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, (page, response.text[:300])
        assert f"<b>{role}</b>" in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]
    approvals = client.get("/approvals").text
    assert ('action="/approvals/' in approvals) == (
        role != "viewer"
    ) or "Nothing waits" in approvals
    parameters = client.get("/parameters").text
    assert ("Roll back to the parent" in parameters) == (role == "admin")


def test_forms_need_the_csrf_token_and_change_nothing_without_it(app, tokens, database):
    client = login(app, tokens["operator"])
    proposal = pending_proposal(database)
    refused = client.post(f"/approvals/{proposal}/decide", data={"decision": "approve",
                                                                  "reason": "ok"})  # fmt: skip
    assert refused.status_code == 403 and "CSRF" in refused.text
    with session_scope(database.engine) as session:
        assert session.get(Proposal, proposal).status == "pending"
    api = client.post(f"{API}/approvals/{proposal}/approve", json={"reason": "ok"})
    assert api.status_code == 403, "a cookie alone cannot call the API's changes"
    done = client.post(
        f"/approvals/{proposal}/decide",
        data={"decision": "reject", "reason": "not now", "csrf_token": csrf_of(client)},
    )
    assert done.status_code == 303 and done.headers["location"] == "/approvals"
    with session_scope(database.engine) as session:
        stored = session.get(Proposal, proposal)
        assert stored.status == "rejected" and stored.decision_note == "not now"
    again = client.post(
        f"/approvals/{proposal}/decide",
        data={"decision": "approve", "reason": "changed my mind", "csrf_token": csrf_of(client)},
    )
    assert again.status_code == 409 and "already rejected" in again.text


def test_the_api_takes_the_cookie_with_the_csrf_header(app, tokens, database):
    client = login(app, tokens["operator"])
    proposal = pending_proposal(database)
    response = client.post(
        f"{API}/approvals/{proposal}/reject",
        json={"reason": "from the page's script"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 200 and response.json()["proposal"]["status"] == "rejected"


def test_only_an_admin_rolls_back_from_the_console(app, tokens, database):
    other_version(database)
    before = active_number(database)
    operator = login(app, tokens["operator"])
    refused = operator.post(
        "/parameters/rollback", data={"reason": "worse", "csrf_token": csrf_of(operator)}
    )
    assert refused.status_code == 403 and active_number(database) == before
    admin = login(app, tokens["admin"])
    done = admin.post(
        "/parameters/rollback", data={"reason": "worse", "csrf_token": csrf_of(admin)}
    )
    assert done.status_code == 303 and active_number(database) != before


def test_logout_ends_the_session(app, tokens):
    client = login(app, tokens["viewer"])
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/").status_code == 303


def test_unknown_campaign_page_is_a_404_page(app, tokens):
    client = login(app, tokens["viewer"])
    response = client.get("/campaigns/no-such-campaign")
    assert response.status_code == 404 and "no campaign" in response.text

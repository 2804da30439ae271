"""The mirror routes over HTTP: roles, bad input answered with the envelope, the issue's paths,
the opt-out, the loop started and stopped with the app, an unreachable database at start."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from mirror_fixtures import API, ManualClock, ask, socket_url
from sqlalchemy import create_engine

from selflearn.learners.mirror import MirrorLoop
from selflearn.store import Database
from selflearn.web import create_app
from tests.factories import bearer, make_components, make_student

START = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock():
    return ManualClock(START)


@pytest.fixture(scope="module")
def loop(database, clock):
    return MirrorLoop(database.engine, seed=3, clock=clock)


@pytest.fixture(scope="module")
def client(components, service, loop, tokens):
    app = create_app(components, student=service, mirror=loop)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def as_role(tokens, role):
    return bearer(tokens[role])


def error_of(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"] and "hint" in body["error"]
    return body["error"]


def test_every_reading_role_sees_the_policy_and_a_bad_bucket_key_is_400(client, tokens):
    for role in ("viewer", "operator", "admin"):
        response = client.get(f"{API}/policy", headers=as_role(tokens, role))
        assert response.status_code == 200, response.text
        assert response.json()["bucket_key"] is None
        assert isinstance(response.json()["items"], list)
    good = client.get(f"{API}/policy", params={"bucket_key": "14-M-P"},
                      headers=as_role(tokens, "viewer"))  # fmt: skip
    assert good.status_code == 200 and good.json()["bucket_key"] == "14-M-P"
    for bad in ("25-M-P", "14-X-P", "fourteen", "14-M-P-extra", "-1-L-A"):
        error = error_of(
            client.get(
                f"{API}/policy", params={"bucket_key": bad}, headers=as_role(tokens, "viewer")
            ),  # fmt: skip
            400,
            "invalid_input",
        )
        assert "hour" in error["hint"]
    error_of(client.get(f"{API}/policy"), 401, "unauthenticated")


def test_only_an_admin_may_replay(client, tokens):
    for role in ("viewer", "operator", "service"):
        error = error_of(client.post(f"{API}/replay", headers=as_role(tokens, role)), 403,
                         "forbidden")  # fmt: skip
        assert "admin" in error["message"]
    done = client.post(f"{API}/replay", headers=as_role(tokens, "admin"))
    assert done.status_code == 200, done.text
    assert isinstance(done.json(), dict)


def test_the_issue_paths_answer_the_same_and_stay_out_of_the_schema(client, tokens):
    headers = as_role(tokens, "admin")
    ours = client.get(f"{API}/policy", headers=headers).json()
    issue = client.get("/api/mirror/policy", headers=headers)
    assert issue.status_code == 200 and issue.json() == ours
    assert client.post("/api/mirror/replay", headers=as_role(tokens, "viewer")).status_code == 403
    paths = client.get("/openapi.json").json()["paths"]
    assert f"{API}/policy" in paths and f"{API}/replay" in paths and f"{API}/stats" in paths
    assert not any(path.startswith("/api/mirror") for path in paths)
    assert "mirror" in {tag["name"] for tag in client.get("/openapi.json").json()["tags"]}


def test_stats_take_a_window_and_refuse_a_bad_one(client, tokens, clock):
    headers = as_role(tokens, "viewer")
    response = client.get(f"{API}/stats", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"n", "reward", "coverage", "from", "to"} <= set(body)
    assert body["n"] >= 0
    window = {"from": "2024-06-01T00:00:00Z", "to": "2024-06-02T00:00:00Z"}
    assert client.get(f"{API}/stats", params=window, headers=headers).status_code == 200
    backwards = {"from": window["to"], "to": window["from"]}
    error_of(client.get(f"{API}/stats", params=backwards, headers=headers), 400, "invalid_input")
    error_of(client.get(f"{API}/stats", params={"from": "yesterday"}, headers=headers), 422,
             "invalid_request")  # fmt: skip
    error_of(client.get(f"{API}/stats", params={"to": "0001-01-01T00:00:00"}, headers=headers),
             400, "invalid_input")  # fmt: skip
    error_of(client.get(f"{API}/stats", params={"since": "x"}, headers=headers), 400,
             "invalid_input")  # fmt: skip


def test_the_field_names_its_bucket(client, tokens):
    body = client.get(f"{API}/field", headers=as_role(tokens, "viewer")).json()
    assert body["bucket_key"].startswith(f"{START.hour}-")
    assert 0.0 <= body["coherence"] <= 1.0


def test_a_user_opts_out_and_is_neither_steered_nor_logged(client, tokens, loop):
    user = "opt-out-1"
    headers = as_role(tokens, "service")
    assert client.get(f"{API}/users/{user}", headers=headers).json() == {
        "user_id": user, "mirror_enabled": True}  # fmt: skip
    off = client.put(f"{API}/users/{user}", json={"mirror_enabled": False}, headers=headers)
    assert off.status_code == 200 and off.json()["mirror_enabled"] is False
    assert client.get(f"{API}/users/{user}", headers=as_role(tokens, "viewer")).json()[
        "mirror_enabled"] is False  # fmt: skip
    with client.websocket_connect(socket_url(tokens["service"])) as ws:
        ask(ws, {"type": "turn", "user_id": user, "text": "I am fine", "id": 1})
        answer = ask(ws, {"type": "feedback", "user_id": user, "id": 2})
    assert answer["type"] == "feedback_result", answer
    assert answer["data"]["action"] is None
    assert answer["data"]["source"] == "opted_out" and answer["data"]["logged"] is False
    on = client.put(f"/api/mirror/users/{user}", json={"mirror_enabled": True}, headers=headers)
    assert on.status_code == 200 and loop.is_enabled(user)


def test_the_profile_switch_refuses_bad_input_and_watchers(client, tokens):
    admin = as_role(tokens, "admin")
    for body in ({"mirror_enabled": "no"}, {"mirror_enabled": 1}, {}, {"mirror_enabled": True,
                 "extra": 1}):  # fmt: skip
        error_of(client.put(f"{API}/users/u1", json=body, headers=admin), 422, "invalid_request")
    error_of(client.put(f"{API}/users/a%20b", json={"mirror_enabled": True}, headers=admin), 422,
             "invalid_request")  # fmt: skip
    error_of(client.put(f"{API}/users/u1", json={"mirror_enabled": False},
                        headers=as_role(tokens, "viewer")), 403, "forbidden")  # fmt: skip


def _mirror_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "mirror" in t.name.lower()}


def test_the_loop_starts_with_the_app_and_stops_with_it(components, service, database):
    before = _mirror_threads()
    loop = MirrorLoop(database.engine, seed=1)
    with TestClient(create_app(components, student=service, mirror=loop)):
        assert _mirror_threads() - before, "the mirror loop did not start with the app"
    assert _mirror_threads() == before, "the mirror loop left a thread behind"


def test_an_unreachable_database_does_not_break_the_build(settings):
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    unreachable = Database(url=url, engine=engine, embedded=False)
    service = make_student(settings, unreachable)
    before = _mirror_threads()
    app = create_app(make_components(settings, unreachable), student=service)
    headers = bearer("slt_any-token-the-database-cannot-check")
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        error_of(client.get(f"{API}/policy"), 503, "database_unavailable")
    assert _mirror_threads() == before
    engine.dispose()

"""The mirror hub's WebSocket: tokens, malformed messages, watchers, a flood of feedback, a
client that leaves mid-push and one that falls behind; the hub keeps serving the others."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from mirror_fixtures import ManualClock, ask, socket_url, until
from starlette.websockets import WebSocketDisconnect

from selflearn.learners.mirror import MirrorLoop
from selflearn.web import create_app
from selflearn.web._mirror_hub import QUEUE_SIZE, TRY_AGAIN_LATER, LiveHub
from tests.factories import bearer

START = datetime(2024, 6, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock():
    return ManualClock(START)


@pytest.fixture(scope="module")
def loop(database, clock):
    return MirrorLoop(database.engine, seed=5, clock=clock)


@pytest.fixture(scope="module")
def app(components, service, loop):
    return create_app(components, student=service, mirror=loop)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def closed_with(client, url, **kwargs) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        with client.websocket_connect(url, **kwargs) as ws:
            ws.receive_json()
    return closed.value.code


def test_no_token_or_a_bad_one_closes_with_policy_violation(client):
    assert closed_with(client, socket_url()) == 1008
    assert closed_with(client, socket_url("slt_not-a-token")) == 1008
    assert closed_with(client, socket_url(), headers={"Authorization": "Basic abc"}) == 1008
    assert closed_with(client, socket_url(""), headers={}) == 1008


def test_a_token_in_the_header_the_query_or_the_session_cookie_lets_a_client_in(client, tokens):
    with client.websocket_connect(socket_url(), headers=bearer(tokens["viewer"])) as ws:
        assert ws.receive_json()["data"]["role"] == "viewer"
    with client.websocket_connect(socket_url(tokens["operator"], prefix="/api/mirror")) as ws:
        assert ws.receive_json()["data"]["role"] == "operator"
    login = client.get("/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', login.text).group(1)
    client.post("/login", data={"token": tokens["admin"], "nonce": nonce})
    try:
        with client.websocket_connect(socket_url()) as ws:
            assert ws.receive_json()["data"]["role"] == "admin"
        # A page of another site may not ride on the console's cookie.
        assert closed_with(client, socket_url(), headers={"Origin": "http://evil.test"}) == 1008
    finally:
        client.cookies.clear()


MALFORMED = [
    "not json",
    json.dumps([1, 2]),
    json.dumps({"type": "dance"}),
    json.dumps({"type": "turn", "user_id": "u", "id": 1}),
    json.dumps({"type": "turn", "user_id": "", "text": "hi"}),
    json.dumps({"type": "turn", "user_id": "u", "text": 5}),
    json.dumps({"type": "feedback", "user_id": ["u"]}),
    json.dumps({"type": "feedback", "user_id": "u", "state": {"coherence": 9}}),
    json.dumps({"type": "turn", "user_id": "u", "text": "x" * 20_000}),
]


def test_malformed_messages_get_a_clear_error_and_the_socket_stays_open(client, tokens, loop):
    before = loop.stats(START - timedelta(days=1), START + timedelta(days=1))["n"]
    with client.websocket_connect(socket_url(tokens["service"])) as ws:
        until(ws, "hello")
        for raw in MALFORMED:
            ws.send_text(raw)
            error = until(ws, "error")
            assert error["error"]["code"] == "invalid_input", (raw, error)
            assert error["error"]["message"] and error["error"]["hint"]
        ws.send_bytes(b"\x00\x01")
        assert until(ws, "error")["error"]["code"] == "invalid_input"
        assert ask(ws, {"type": "ping", "id": "still-there"})["type"] == "pong"
    assert loop.stats(START - timedelta(days=1), START + timedelta(days=1))["n"] == before


def test_a_watcher_sees_the_field_move_but_may_not_steer(client, tokens):
    with client.websocket_connect(socket_url(tokens["viewer"])) as watcher, \
            client.websocket_connect(socket_url(tokens["service"])) as sender:  # fmt: skip
        until(watcher, "hello")
        refused = ask(watcher, {"type": "feedback", "user_id": "w1", "id": 9})
        assert refused["type"] == "error" and refused["error"]["code"] == "forbidden"
        answer = ask(sender, {"type": "turn", "user_id": "w1", "text": "what a lovely day!",
                              "id": 1})  # fmt: skip
        assert answer["type"] == "turn_result"
        seen = until(watcher, "field")
        assert seen["data"]["user_count"] >= 1 and "text" not in json.dumps(seen)
        feedback = ask(sender, {"type": "feedback", "user_id": "w1", "id": 2})
        assert feedback["data"]["action"]["tone"] in ("warm", "cool", "neutral")
        pushed = until(watcher, "feedback")
        assert pushed["data"]["bucket_key"] == feedback["data"]["bucket_key"]


def test_a_flood_of_feedback_is_limited_and_nothing_is_logged_twice(app, client, tokens, loop,
                                                                     clock):  # fmt: skip
    hub: LiveHub = app.state.mirror_hub
    hub.rate_per_second, hub.rate_burst = 5.0, 12
    clock.advance(10)
    loop.tick()  # earlier tests' episodes are written before counting
    window = (clock.now - timedelta(hours=1), clock.now + timedelta(hours=1))
    before = loop.stats(*window)["n"]
    answers = []
    try:
        with client.websocket_connect(socket_url(tokens["service"])) as ws:
            until(ws, "hello")
            ask(ws, {"type": "turn", "user_id": "flood", "text": "calm and happy", "id": 0})
            for number in range(1, 41):
                answers.append(ask(ws, {"type": "feedback", "user_id": "flood", "id": number}))
    finally:
        hub.rate_per_second, hub.rate_burst = 20.0, 40
    limited = [a for a in answers if a["type"] == "error"]
    served = [a for a in answers if a["type"] == "feedback_result"]
    assert limited and all(a["error"]["code"] == "rate_limited" for a in limited)
    assert "Slow down" in limited[0]["error"]["hint"]
    logged = [a for a in served if a["data"]["logged"]]
    assert len(logged) == 1, "at most one episode per 2 s per bucket"
    clock.advance(10)
    loop.tick()
    assert loop.stats(*window)["n"] - before == 1
    loop.tick()  # a second tick writes nothing again
    assert loop.stats(*window)["n"] - before == 1


def test_a_client_that_leaves_mid_push_does_not_stop_the_others(client, tokens):
    with client.websocket_connect(socket_url(tokens["viewer"])) as stays, \
            client.websocket_connect(socket_url(tokens["service"])) as sender:  # fmt: skip
        until(stays, "hello")
        leaving = client.websocket_connect(socket_url(tokens["viewer"]))
        ws = leaving.__enter__()
        until(ws, "hello")
        for number in range(5):
            ask(sender, {"type": "feedback", "user_id": f"m{number}", "id": number})
        leaving.__exit__(None, None, None)  # gone with pushes still queued for it
        for number in range(5, 10):
            ask(sender, {"type": "feedback", "user_id": f"m{number}", "id": number})
        pushed = [until(stays, "feedback")["data"]["user_id"] for _ in range(10)]
        assert pushed == [f"m{number}" for number in range(10)]


def test_the_field_is_pushed_at_most_every_fifth_of_a_second_latest_first(client, tokens):
    with client.websocket_connect(socket_url(tokens["viewer"])) as watcher, \
            client.websocket_connect(socket_url(tokens["service"])) as sender:  # fmt: skip
        until(watcher, "hello")
        for number in range(20):
            ask(sender, {"type": "turn", "user_id": f"f{number}", "text": "fine", "id": number})
        last = ask(sender, {"type": "turn", "user_id": "f-last", "text": "so happy!", "id": 99})
        seen = []
        while not seen or seen[-1] != last["data"]:
            seen.append(until(watcher, "field")["data"])
        assert len(seen) < 21, "the field was not coalesced"


def test_a_client_that_falls_behind_is_dropped_and_the_others_get_everything(loop):
    async def scenario() -> tuple[bool, int, int, int]:
        hub = LiveHub(loop)
        hub.start(asyncio.get_running_loop())
        try:
            slow, quick = hub.connect("viewer"), hub.connect("viewer")
            got = 0
            for number in range(QUEUE_SIZE + 50):
                hub.broadcast("episode", {"n": number})
                if number % 100 == 0:
                    await asyncio.sleep(0)  # the server's loop runs the fan-out
                    while not quick.queue.empty():
                        quick.queue.get_nowait()
                        got += 1
            await asyncio.sleep(0.05)
            while not quick.queue.empty():
                if quick.queue.get_nowait() is not None:
                    got += 1
            return slow.dropped, slow.close_code, got, hub.counts["events"]
        finally:
            hub.stop()

    dropped, code, got, events = asyncio.run(scenario())
    assert dropped and code == TRY_AGAIN_LATER
    assert got == events == QUEUE_SIZE + 50

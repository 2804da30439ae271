"""One interface over both Students: the HTTP client behaves as the in-process service does."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from selflearn.errors import InvalidInputError, NotFoundError, RuleViolation, SelflearnError
from selflearn.maas import SearchResult, TurnResult
from selflearn.simulator import load_scenario
from selflearn.simulator.episode import EpisodeResult, EpisodeSpec, run_episode
from selflearn.web import StudentHTTPClient, StudentUnavailableError, connect_student
from selflearn.web._errors import error_from_envelope

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
# Timings differ between two runs and memory ids are new on every run; the rest must not.
VOLATILE = {"latency_ms", "stage_latency_ms", "used_ids"}


@pytest.fixture(scope="module")
def served(app) -> Iterator[str]:
    """The app behind a real uvicorn server on a free local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
    sock.close()


@pytest.fixture(scope="module")
def remote(served, tokens) -> Iterator[StudentHTTPClient]:
    """An HTTP client of the served Student, with a service token."""
    with StudentHTTPClient(served, token=tokens["service"], timeout=30) as client:
        yield client


def _scores(result: EpisodeResult) -> list[tuple[str, dict, int]]:
    return [
        (p.probe.probe_id, p.score.model_dump(exclude=VOLATILE), len(p.score.used_ids))
        for p in result.probes
    ]


@pytest.mark.parametrize("scenario", ["moved-city", "namesakes"])
def test_an_episode_plays_the_same_in_process_and_over_http(service, remote, scenario):
    spec = EpisodeSpec(load_scenario(SCENARIOS / f"{scenario}.yaml"), seed=11)
    local = run_episode(spec, service)
    over_http = run_episode(spec, remote)
    assert local.errors == [] and over_http.errors == []
    assert over_http.dialogue_digest == local.dialogue_digest
    assert over_http.turns == local.turns and local.probes
    assert _scores(over_http) == _scores(local)
    latency = {name for name in type(local.metrics).model_fields if "latency" in name}
    assert over_http.metrics.model_dump(exclude=latency) == local.metrics.model_dump(
        exclude=latency
    )
    # Both runs used the Student for real: each probe answer came from a recorded turn.
    assert all(p.pipeline_run_id is not None for p in over_http.probes)
    # Every probe answered right credited the memories it used (the user's thumbs-up).
    passed = [p for p in over_http.probes if p.score.passed and p.score.used_ids]
    users = {spec.student_user(u) for u in ("user",)}
    helpful = sum(m.times_helpful for u in users for m in service.list_memories(u))
    assert passed and helpful >= len(passed)


def test_the_client_returns_what_the_service_returns(service, remote, user, now):
    facts = ["My dog is called Nugget.", "I moved to Cork in 2021.", "I work night shifts."]
    added = remote.add_memories(user, [*facts[:2], {"text": facts[2], "tags": ["work"]}])
    assert [a.merged for a in added] == [False, False, False]
    records = remote.list_memories(user)
    assert records == service.list_memories(user)
    assert remote.list_memories(user, limit=1, offset=2) == service.list_memories(
        user, limit=1, offset=2
    )

    local = service.search(user, "What is my dog called?", now=now)
    over_http = remote.search(user, "What is my dog called?", now=now)
    assert isinstance(over_http, SearchResult)
    assert over_http.model_dump(exclude={"latency_ms"}) == local.model_dump(exclude={"latency_ms"})

    turn = remote.chat_turn(user, "Where did I move to?", params={"retrieval.top_k": 2}, now=now)
    assert isinstance(turn, TurnResult) and "Cork" in turn.answer
    assert len(turn.retrieved) == 2 and turn.parameter_version_id is None
    assert remote.record_feedback(user, turn.used_memory_ids, helpful=True) == len(
        turn.used_memory_ids
    )
    assert remote.record_feedback(user, [], helpful=True) == 0

    assert remote.delete_memories(user, [added[0].id]) == 1
    assert remote.delete_memories(user, []) == 0
    assert remote.delete_memories(user) == 2 and service.list_memories(user) == []
    assert remote.health()["database"] == "ok"


def test_percent_signs_and_slashes_in_user_ids_survive_real_http(service, remote, user):
    odd = f"{user}/50%/a%2Fb?q=1#x"
    remote.add_memories(odd, ["I collect stamps."])
    assert [m.user_id for m in service.list_memories(odd)] == [odd]
    assert remote.delete_memories(odd) == 1


def _raised(call) -> SelflearnError:
    with pytest.raises(SelflearnError) as caught:
        call()
    return caught.value


def test_errors_come_back_as_the_project_error_classes(service, remote, user):
    missing = uuid.uuid4()
    same = [
        lambda s: s.chat_turn(user, "hello there", version_id=missing),
        lambda s: s.search(user, "hello", experiment_id="nope", variant="a"),
        lambda s: s.search(user, "   "),
        lambda s: s.chat_turn(user, "hi", variant="a"),
        lambda s: s.chat_turn(user, "hi", cycle_type="weekly"),
        lambda s: s.add_memories(user, ["fine", "bad \ud800 text"]),
        lambda s: s.add_memories(user, ["fine", ""]),
        lambda s: s.delete_memories(user, ["not-a-uuid"]),
        lambda s: s.delete_memories(user, [missing]),
        lambda s: s.search(user, "q", params={"retrieval.top_k": 0}),
    ]
    for call in same:
        in_process = _raised(lambda: call(service))  # noqa: B023 (called at once)
        over_http = _raised(lambda: call(remote))  # noqa: B023
        assert type(over_http) is type(in_process)
        assert over_http.to_dict() == in_process.to_dict()
    too_big = _raised(lambda: remote.search(user, "x" * (1024 * 1024)))
    assert isinstance(too_big, InvalidInputError) and too_big.code == "payload_too_large"
    assert service.list_memories(user) == []


def test_an_unreachable_server_is_student_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    with StudentHTTPClient(f"http://127.0.0.1:{port}", timeout=2) as client:
        error = _raised(lambda: client.chat_turn("u", "hello"))
    assert isinstance(error, StudentUnavailableError) and "selflearn serve" in error.hint


def test_timeouts_and_foreign_answers_are_student_unavailable():
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    with StudentHTTPClient("http://student", transport=httpx.MockTransport(slow)) as client:
        assert "did not answer" in str(_raised(lambda: client.search("u", "q")))

    def foreign(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"hello": "world"})

    with StudentHTTPClient("http://student", transport=httpx.MockTransport(foreign)) as client:
        error = _raised(lambda: client.chat_turn("u", "q"))
    assert isinstance(error, StudentUnavailableError) and "unexpected body" in str(error)

    def proxy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    with StudentHTTPClient("http://student", transport=httpx.MockTransport(proxy)) as client:
        error = _raised(lambda: client.list_memories("u"))
    assert error.code == "http_502" and "Bad Gateway" in error.message


def test_error_envelopes_map_back_by_code_then_by_status():
    rule = error_from_envelope(
        409,
        {"error": {"code": "rule_violation", "message": "too soon", "hint": "w", "rule": "cool"}},
    )
    assert isinstance(rule, RuleViolation) and rule.rule == "cool" and rule.hint == "w"
    unknown = error_from_envelope(404, {"error": {"code": "gone_fishing", "message": "m"}})
    assert isinstance(unknown, NotFoundError) and unknown.code == "gone_fishing"
    odd = error_from_envelope(418, "not an envelope")
    assert type(odd) is SelflearnError and "418" in odd.message


def test_the_client_runs_on_an_in_memory_app_too(app, tokens, user):
    with TestClient(app) as http:
        client = StudentHTTPClient("http://testserver", http=http, token=tokens["admin"])
        client.add_memories(user, ["I play chess on Fridays."])
        assert "Fridays" in client.chat_turn(user, "When do I play chess?").answer
        client.close()  # the given client stays open: it is the caller's
        assert client.delete_memories(user) == 1


def test_connect_student_checks_the_url(served):
    remote = connect_student(served)
    assert isinstance(remote, StudentHTTPClient)
    remote.close()
    with pytest.raises(InvalidInputError):
        connect_student("127.0.0.1:8080")

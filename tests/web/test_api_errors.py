"""Bad input gets a clear 4xx with the error envelope and changes nothing; failures map to 5xx."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from selflearn.errors import (
    ConfigError,
    ConflictError,
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
    PgvectorMissingError,
    ProviderAuthError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RuleViolation,
    SelflearnError,
    StoreError,
)
from selflearn.store import Database
from selflearn.web import API_PREFIX as API
from selflearn.web import create_app
from selflearn.web._errors import status_for
from tests.factories import bearer, make_components, make_student


def at(user_id: str, tail: str) -> str:
    return f"{API}/users/{quote(user_id, safe='')}/{tail}"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and isinstance(error["hint"], str)
    assert "Traceback" not in response.text
    return error


def stored(api, user_id: str) -> list[dict]:
    return api.get(at(user_id, "memories")).json()["items"]


def test_unknown_parameter_versions_are_not_found(api, user):
    for selection in (
        {"version_id": str(uuid.uuid4())},
        {"version_id": "not-a-uuid"},
        {"experiment_id": "no_such_experiment", "variant": "a"},
    ):
        for route, body in (("chat", {"message": "hello there"}), ("search", {"query": "hi"})):
            response = api.post(at(user, route), json={**body, **selection})
            error = error_of(response, 404, "not_found")
            assert "version" in error["message"] and error["hint"]
    orphan = api.post(at(user, "chat"), json={"message": "hello there", "variant": "a"})
    assert "experiment" in error_of(orphan, 400, "invalid_input")["message"]
    assert stored(api, user) == []  # a refused turn remembers nothing


@pytest.mark.parametrize("empty", ["   ", "\n\t"])
def test_blank_query_or_message_is_invalid_input(api, user, empty):
    error = error_of(api.post(at(user, "search"), json={"query": empty}), 400, "invalid_input")
    assert "empty" in error["message"]
    error_of(api.post(at(user, "chat"), json={"message": empty}), 400, "invalid_input")
    assert stored(api, user) == []


def test_an_empty_query_or_message_is_refused_by_the_schema(api, app, user):
    schema = app.openapi()["components"]["schemas"]
    assert schema["SearchRequest"]["properties"]["query"]["minLength"] == 1
    assert schema["ChatRequest"]["properties"]["message"]["minLength"] == 1
    error = error_of(api.post(at(user, "search"), json={"query": ""}), 422, "invalid_request")
    assert "at least 1 character" in error["message"]
    error_of(api.post(at(user, "chat"), json={"message": ""}), 422, "invalid_request")
    assert stored(api, user) == []


def test_missing_or_mistyped_fields_are_422_with_every_problem(api, user):
    error = error_of(api.post(at(user, "search"), json={}), 422, "invalid_request")
    assert error["message"] == "body.query: Field required"
    error = error_of(
        api.post(at(user, "chat"), json={"message": 3, "relevant_turn_ids": "t1", "extra": 1}),
        422,
        "invalid_request",
    )
    assert len(error["details"]) == 3
    raw = {"content-type": "application/json"}
    error_of(
        api.post(at(user, "search"), content=b"{not json", headers=raw), 422, "invalid_request"
    )
    error_of(api.get(at(user, "memories"), params={"limit": 0}), 422, "invalid_request")


def test_a_one_megabyte_query_is_refused_before_the_route(api, user):
    huge = "x" * (1024 * 1024)
    error = error_of(api.post(at(user, "search"), json={"query": huge}), 413, "payload_too_large")
    assert "1048576" in error["message"]
    error_of(api.post(at(user, "chat"), json={"message": huge}), 413, "payload_too_large")
    # Over 16 K characters: the schema says so; under it but over 16 KB of UTF-8: the service.
    error_of(api.post(at(user, "search"), json={"query": "y" * 20_000}), 422, "invalid_request")
    error = error_of(
        api.post(at(user, "search"), json={"query": "é" * 10_000}), 400, "invalid_input"
    )
    assert "limit" in error["message"]
    assert stored(api, user) == []


def test_the_body_limit_holds_without_content_length(api, user):
    def chunks():
        yield b'{"query": "'
        for _ in range(17):
            yield b"z" * 65536
        yield b'"}'

    response = api.post(
        at(user, "search"), content=chunks(), headers={"content-type": "application/json"}
    )
    error_of(response, 413, "payload_too_large")


def test_non_utf8_bodies_are_refused_and_store_nothing(api, user):
    latin1 = '{"items": ["Caf\u00e9 au lait every morning."]}'.encode("latin-1")
    error = error_of(
        api.post(
            at(user, "memories"), content=latin1, headers={"content-type": "application/json"}
        ),
        400,
        "invalid_input",
    )
    assert "UTF-8" in error["message"]
    raw = {"content-type": "application/json; charset=utf-8"}
    chat = api.post(at(user, "chat"), content=b'{"message": "\xff\xfe"}', headers=raw)
    error_of(chat, 400, "invalid_input")
    # Valid UTF-8 JSON that escapes a lone surrogate is still not text.
    surrogate = b'{"items": ["fine", "broken \\ud800 text"]}'
    error = error_of(
        api.post(at(user, "memories"), content=surrogate, headers=raw), 400, "invalid_input"
    )
    assert "item 1" in error["message"]
    nul = api.post(at(user, "search"), content=b'{"query": "a\\u0000b"}', headers=raw)
    assert "NUL" in error_of(nul, 400, "invalid_input")["message"]
    assert stored(api, user) == []


@pytest.mark.parametrize(
    ("bad_item", "status", "code"),
    [
        ({"text": "   "}, 400, "invalid_input"),  # the service refuses it
        ({"speaker": "Ann"}, 422, "invalid_request"),  # no text at all
        ({"text": "ok", "colour": "red"}, 422, "invalid_request"),  # unknown field
        ("x" * 70_000, 400, "invalid_input"),  # over the 64 KB memory limit
    ],
)
def test_a_batch_with_one_bad_item_stores_nothing(api, user, bad_item, status, code):
    items = ["I live in Cork.", "I work as a nurse.", bad_item, "I have two cats."]
    error_of(api.post(at(user, "memories"), json={"items": items}), status, code)
    assert stored(api, user) == []


def test_bad_user_ids_batches_and_cycle_types_are_invalid_input(api, user):
    error_of(api.post(f"{API}/users//memories", json={"items": ["x y"]}), 400, "invalid_input")
    error_of(api.get(at(" ", "memories")), 400, "invalid_input")
    error_of(api.get(at("u" * 201, "memories")), 400, "invalid_input")
    error_of(api.post(at(user, "memories"), json={"items": []}), 400, "invalid_input")
    cycle = api.post(at(user, "chat"), json={"message": "hello", "cycle_type": "weekly"})
    assert "cycle type" in error_of(cycle, 400, "invalid_input")["message"]


def test_deleting_someone_elses_memory_is_not_found_and_deletes_nothing(api, user):
    mine = api.post(at(user, "memories"), json={"items": ["I like rye bread."]}).json()
    other = f"{user}-other"
    theirs = api.post(at(other, "memories"), json={"items": ["I like soy milk."]}).json()
    ids = [mine["items"][0]["id"], theirs["items"][0]["id"]]
    error_of(api.delete(at(user, "memories"), params={"ids": ids}), 404, "not_found")
    error_of(api.delete(at(user, "memories"), params={"ids": ["nope"]}), 400, "invalid_input")
    assert len(stored(api, user)) == 1 and len(stored(api, other)) == 1


def test_bodies_that_are_not_json_are_unsupported_media(api, user):
    for headers in (
        {},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
    ):
        response = api.post(at(user, "search"), content=b'{"query": "hi"}', headers=headers)
        assert "JSON" in error_of(response, 415, "unsupported_media_type")["message"]
    typed = {"content-type": "application/merge-patch+json"}
    assert api.post(at(user, "search"), content=b'{"query": "hi"}', headers=typed).is_success


def test_unknown_routes_and_methods_use_the_envelope(api, user):
    assert "no route" in error_of(api.get(f"{API}/nowhere"), 404, "not_found")["message"]
    error_of(api.put(at(user, "memories"), json={}), 405, "method_not_allowed")


class _FailingEmbedder:
    name = "failing"
    dimension = 384

    def __init__(self, error: Exception) -> None:
        self.error = error

    def embed(self, texts) -> np.ndarray:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ProviderUnavailableError("the embedding provider kept failing"), 502),
        (ProviderTimeoutError("the embedding provider did not answer"), 504),
    ],
)
def test_provider_failures_are_bad_gateway(database, settings, components, tokens, error, status):
    failing = make_student(settings, database, embedder=_FailingEmbedder(error))
    app = create_app(components, student=failing)
    with TestClient(
        app, raise_server_exceptions=False, headers=bearer(tokens["service"])
    ) as client:
        response = client.post(at("u1", "memories"), json={"items": ["I swim on Sundays."]})
        error_of(response, status, error.code)
        assert client.get(at("u1", "memories")).json()["items"] == []


def test_an_unreachable_database_is_503(settings):
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    unreachable = Database(url=url, engine=engine, embedded=False)
    service = make_student(settings, unreachable)
    app = create_app(make_components(settings, unreachable), student=service)
    headers = bearer("slt_any-token-the-database-cannot-check")
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        error_of(client.get(f"{API}/health"), 503, "database_unavailable")
        error_of(client.get(at("u1", "memories")), 503, "database_unavailable")
    engine.dispose()


def test_an_unexpected_failure_is_a_500_envelope_without_details(
    service, components, tokens, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "search", explode)
    app = create_app(components, student=service)
    with TestClient(
        app, raise_server_exceptions=False, headers=bearer(tokens["service"])
    ) as client:
        response = client.post(at("u1", "search"), json={"query": "anything"})
    error = error_of(response, 500, "internal")
    assert "secret" not in response.text and error["hint"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInputError("x"), 400),
        (NotFoundError("x"), 404),
        (ConflictError("x"), 409),
        (RuleViolation("x", rule="cooldown"), 409),
        (DatabaseUnavailableError("x"), 503),
        (PgvectorMissingError("x"), 503),
        (StoreError("x"), 500),
        (ProviderAuthError("x"), 502),
        (ProviderTimeoutError("x"), 504),
        (ConfigError("x"), 500),
        (SelflearnError("x"), 500),
    ],
)
def test_each_error_class_has_its_status(error, status):
    assert status_for(error) == status


@pytest.mark.parametrize("limit", ["99999999999999999999", "9223372036854775808", "10001", "0"])
def test_a_limit_out_of_the_declared_range_is_refused_by_the_schema(api, app, user, limit):
    declared = next(
        p
        for p in app.openapi()["paths"][f"{API}/users/{{user_id}}/memories"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    bounds = declared["schema"]["anyOf"][0]
    assert (bounds["minimum"], bounds["maximum"]) == (1, 10_000)
    error = error_of(api.get(at(user, "memories"), params={"limit": limit}), 422, "invalid_request")
    assert "limit" in error["message"]


def test_an_unknown_query_parameter_is_refused(api, user):
    error = error_of(api.get(at(user, "memories"), params={"limt": 5}), 400, "invalid_input")
    assert "'limt'" in error["message"] and "limit" in error["hint"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/tokens", {"name": "\u0000", "role": "service"}),
        ("/goals", {"text": "raise recall\u0000 by 5 %"}),
        ("/users/u-nul/memories", {"items": [{"text": "ok", "speaker": "a\u0000b"}]}),
    ],
)
def test_a_nul_character_in_any_text_is_400_and_stores_nothing(app, tokens, path, body):
    from fastapi.testclient import TestClient as Client

    with Client(app, raise_server_exceptions=False, headers=bearer(tokens["admin"])) as client:
        before = client.get(f"{API}/tokens").json()["items"]
        error = error_of(client.post(API + path, json=body), 400, "invalid_input")
        assert "NUL" in error["message"]
        assert client.get(f"{API}/tokens").json()["items"] == before
        assert client.get(f"{API}/users/u-nul/memories").json()["items"] == []
    # A literal backslash-u in text is not a NUL: it is stored as written.
    with Client(app, raise_server_exceptions=False, headers=bearer(tokens["admin"])) as client:
        made = client.post(f"{API}/tokens", json={"name": "C:\\u0000dir", "role": "viewer"})
        assert made.status_code == 201 and made.json()["name"] == "C:\\u0000dir"


def test_a_path_holding_a_control_character_is_bad_input_not_an_unknown_route(api):
    error = error_of(api.get(f"{API}/users/a%0Ab/memories"), 400, "invalid_input")
    assert "control character" in error["message"]
    error_of(api.get(f"{API}/no-such-route"), 404, "not_found")

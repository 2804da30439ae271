"""Every route of the Student API on a real database, and per-request version selection."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import text

from selflearn.maas import MemoryRecord, SearchResult, TurnResult
from selflearn.store import session_scope
from selflearn.tuner import ensure_active_version, prepare_experiment
from selflearn.web import API_PREFIX as API

FACTS = [f"Fact {i}: the library opens at {8 + i} o'clock on weekdays." for i in range(8)]


def at(user_id: str, tail: str) -> str:
    return f"{API}/users/{quote(user_id, safe='')}/{tail}"


def add(api, user_id: str, items: list) -> list[dict]:
    response = api.post(at(user_id, "memories"), json={"items": items})
    assert response.status_code == 201, response.text
    return response.json()["items"]


def listed(api, user_id: str) -> list[MemoryRecord]:
    response = api.get(at(user_id, "memories"))
    assert response.status_code == 200, response.text
    return [MemoryRecord.model_validate(item) for item in response.json()["items"]]


def test_memories_are_added_listed_and_deleted(api, user):
    added = add(
        api,
        user,
        [
            "I keep bees on the roof.",
            {
                "text": "My sister Anna moved to Lyon.",
                "speaker": "Maria",
                "occurred_at": "2024-05-02T09:00:00+00:00",
                "source_turn_ids": ["t7"],
                "tags": ["family"],
            },
            "I keep bees on the roof!",  # a near-duplicate merges into the first
        ],
    )
    assert [a["merged"] for a in added] == [False, False, True]
    assert added[2]["id"] == added[0]["id"]

    records = listed(api, user)
    assert len(records) == 2 and {r.user_id for r in records} == {user}
    anna = next(r for r in records if "Anna" in r.text)
    assert anna.speaker == "Maria" and anna.source_turn_ids == ["t7"] and "family" in anna.tags
    assert records[0].occurred_at >= records[1].occurred_at  # newest first
    page = api.get(at(user, "memories"), params={"limit": 1, "offset": 1}).json()["items"]
    assert [p["id"] for p in page] == [str(records[1].id)]

    one = api.delete(at(user, "memories"), params={"ids": [str(anna.id)]})
    assert one.status_code == 200 and one.json() == {"deleted": 1}
    assert [r.text for r in listed(api, user)] == ["I keep bees on the roof."]
    rest = api.delete(at(user, "memories"))
    assert rest.json() == {"deleted": 1} and listed(api, user) == []


def test_user_ids_may_hold_slashes_and_reserved_characters(api, user):
    # Episode users look like "campaign/experiment/arm/scenario/s1/alice". ('%' is covered
    # over real HTTP in test_http_client: the test client decodes the path twice.)
    odd = f"{user}/exp/arm/s1/alice?x=1#frag & more"
    add(api, odd, ["I am allergic to sesame."])
    assert [r.user_id for r in listed(api, odd)] == [odd]
    assert listed(api, user) == [] and listed(api, f"{user}/exp") == []
    found = api.post(at(odd, "search"), json={"query": "allergic"}).json()
    assert [i["text"] for i in found["items"]] == ["I am allergic to sesame."]
    assert api.delete(at(odd, "memories")).json() == {"deleted": 1}


def test_search_ranks_the_user_memories_without_storing_anything(api, user, now):
    add(api, user, [*FACTS, "My dog is called Nugget."])
    response = api.post(
        at(user, "search"), json={"query": "What is my dog called?", "now": now.isoformat()}
    )
    assert response.status_code == 200, response.text
    result = SearchResult.model_validate(response.json())
    assert result.items[0].text == "My dog is called Nugget."
    assert result.items[0].score >= result.items[-1].score
    assert "dog" in result.keywords and result.strategy and result.latency_ms >= 0
    assert len(listed(api, user)) == len(FACTS) + 1


def test_chat_turn_answers_from_memory_and_remembers_the_message(api, user, database):
    stated = api.post(
        at(user, "chat"),
        json={
            "message": "I started learning the cello in May.",
            "speaker": "Maria",
            "turn_id": "d1:3",
            "episode_id": "ep-web",
            "now": "2024-06-01T10:00:00Z",
        },
    )
    assert stated.status_code == 200, stated.text
    first = TurnResult.model_validate(stated.json())
    assert first.stored_memory is not None and first.isolation_ok
    asked = TurnResult.model_validate(
        api.post(
            at(user, "chat"),
            json={"message": "What instrument am I learning?", "relevant_turn_ids": ["d1:3"]},
        ).json()
    )
    assert "cello" in asked.answer and not asked.abstained
    assert asked.retrieved and asked.used_memory_ids
    remembered = next(r for r in listed(api, user) if "cello" in r.text)
    assert remembered.source_turn_ids == ["d1:3"] and remembered.speaker == "Maria"
    with database.engine.connect() as conn:
        cycle, episode = conn.execute(
            text("SELECT cycle_type, episode_id FROM pipeline_runs WHERE id = :id"),
            {"id": first.pipeline_run_id},
        ).one()
    assert (cycle, episode) == ("online", "ep-web")


def test_feedback_credits_the_memories_an_answer_used(api, user):
    add(api, user, ["My violin teacher is called Ms. Ito."])
    turn = TurnResult.model_validate(
        api.post(at(user, "chat"), json={"message": "Who is my violin teacher?"}).json()
    )
    used = [str(i) for i in turn.used_memory_ids]
    assert used
    helpful = api.post(at(user, "feedback"), json={"memory_ids": used, "helpful": True})
    assert helpful.status_code == 200 and helpful.json() == {"credited": len(used)}
    unhelpful = api.post(at(user, "feedback"), json={"memory_ids": used, "helpful": False})
    assert unhelpful.json() == {"credited": 0}
    counts = {str(r.id): r.times_helpful for r in listed(api, user)}
    assert all(counts[i] == 1 for i in used)
    # Another user's memory, or an unknown id: 404, and nothing is recorded.
    stranger = f"other-{uuid.uuid4().hex[:8]}"
    refused = api.post(at(stranger, "feedback"), json={"memory_ids": used, "helpful": True})
    assert refused.status_code == 404 and "nothing was recorded" in refused.text
    assert (
        api.post(at(user, "feedback"), json={"memory_ids": ["x"], "helpful": True}).status_code
        == 422
    )
    assert {str(r.id): r.times_helpful for r in listed(api, user)} == counts


def test_unknown_user_has_no_memories_and_the_student_abstains(api):
    stranger = f"never-seen-{uuid.uuid4().hex[:8]}"
    assert listed(api, stranger) == []
    assert api.post(at(stranger, "search"), json={"query": "anything"}).json()["items"] == []
    assert api.delete(at(stranger, "memories")).json() == {"deleted": 0}
    turn = api.post(at(stranger, "chat"), json={"message": "Where do I live?"}).json()
    assert turn["abstained"] is True and turn["retrieved"] == []


@pytest.fixture(scope="module")
def versions(database, now) -> dict[str, uuid.UUID]:
    """An active version (top_k 5) and an experiment with arms top_k 3 and 2."""
    with session_scope(database.engine) as session:
        active = ensure_active_version(session=session, now=now)
        arms = prepare_experiment(
            {
                "type": "prepare_experiment",
                "experiment_id": "web_top_k",
                "variants": [
                    {"name": "baseline", "params": {"retrieval.top_k": 3}},
                    {"name": "variant", "params": {"retrieval.top_k": 2}},
                ],
            },
            session=session,
            now=now,
        )
        ids = {"active": active.id, **{str(arm.variant): arm.id for arm in arms}}
    return ids


def test_parameter_version_is_chosen_per_request(api, user, versions, database):
    add(api, user, FACTS)
    question = "When does the library open?"

    def turn(**selection) -> TurnResult:
        response = api.post(at(user, "chat"), json={"message": question, **selection})
        assert response.status_code == 200, response.text
        return TurnResult.model_validate(response.json())

    on_active = turn()
    assert on_active.parameter_version_id == versions["active"] and len(on_active.retrieved) == 5
    baseline = turn(experiment_id="web_top_k", variant="baseline", cycle_type="macro")
    variant = turn(experiment_id="web_top_k", variant="variant", cycle_type="macro")
    assert baseline.parameter_version_id == versions["baseline"] and len(baseline.retrieved) == 3
    assert variant.parameter_version_id == versions["variant"] and len(variant.retrieved) == 2
    assert (variant.experiment_id, variant.variant) == ("web_top_k", "variant")
    explicit = turn(version_id=str(versions["baseline"]))
    assert explicit.parameter_version_id == versions["baseline"]
    override = turn(params={"retrieval.top_k": 4})
    assert override.parameter_version_id is None and len(override.retrieved) == 4
    assert override.params["retrieval.top_k"] == 4

    searched = api.post(
        at(user, "search"), json={"query": question, "version_id": str(versions["variant"])}
    ).json()
    assert searched["parameter_version_id"] == str(versions["variant"])
    assert len(searched["items"]) == 2

    with database.engine.connect() as conn:
        recorded = conn.execute(
            text(
                "SELECT r.parameter_version_id, e.experiment_id, e.variant, e.cycle_type "
                "FROM pipeline_runs r JOIN telemetry_events e "
                "ON e.pipeline_id = r.id AND e.stage = 'e2e' WHERE r.id = :id"
            ),
            {"id": variant.pipeline_run_id},
        ).one()
    assert tuple(recorded) == (versions["variant"], "web_top_k", "variant", "macro")


def test_health_reports_the_database(api):
    response = api.get(f"{API}/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_openapi_lists_every_route_with_a_summary_and_the_error_envelope(api):
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        f"{API}/users/{{user_id}}/memories": {"post", "get", "delete"},
        f"{API}/users/{{user_id}}/search": {"post"},
        f"{API}/users/{{user_id}}/chat": {"post"},
        f"{API}/users/{{user_id}}/feedback": {"post"},
        f"{API}/health": {"get"},
    }
    student = {path: set(ops) for path, ops in paths.items() if path.startswith(f"{API}/users")}
    assert {**student, f"{API}/health": set(paths[f"{API}/health"])} == expected
    for path, ops in paths.items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert op["tags"], (method, path)
            if path in expected:
                assert op.get("description"), (method, path)
            if path == f"{API}/health":
                assert "security" not in op, "health needs no token"
                continue
            assert op["security"] == [{"HTTPBearer": []}], (method, path)
            documented = {"401", "403"} | ({"422"} & set(op["responses"]))
            for status in documented:
                schema = op["responses"][status]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorEnvelope"), (method, path, status)
    chat = paths[f"{API}/users/{{user_id}}/chat"]["post"]
    assert chat["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TurnResult"
    )
    chat_body = spec["components"]["schemas"]["ChatRequest"]["properties"]
    assert {"version_id", "experiment_id", "variant", "params", "message"} <= set(chat_body)
    assert "/docs" not in paths and api.get("/docs").status_code == 200

"""MemoryService: archiving, near-duplicate merge, telemetry, counters and bad input."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
import respx
from sqlalchemy import select, text

from selflearn.errors import (
    InvalidInputError,
    NotFoundError,
    ProviderRateLimitError,
    ProviderUnavailableError,
)
from selflearn.settings import Settings
from selflearn.store import session_scope
from selflearn.store.models import Memory, PipelineRun, TelemetryEvent
from tests.factories import NOW, make_student, on_server


def _memories(database, user_id: str) -> list[Memory]:
    with session_scope(database.engine) as session:
        return list(session.scalars(select(Memory).where(Memory.user_id == user_id)))


def test_near_duplicates_merge_keeping_counters_and_provenance(service, database, user):
    first = service.add_memories(
        user, [{"text": "My sister Anna lives in Ghent.", "source_turn_ids": ["t1"]}]
    )[0]
    service.chat_turn(user, "Where does Anna live?")  # retrieves it: counters move
    again = service.add_memories(
        user,
        [
            {"text": "My sister Anna lives in Ghent!", "source_turn_ids": ["t2"], "tags": ["x"]},
            {"text": "My sister Anna lives in Turin.", "source_turn_ids": ["t3"]},
            {"text": "my sister anna lives in ghent", "source_turn_ids": ["t4"]},
        ],
    )
    assert again[0].merged and again[0].id == first.id
    assert not again[1].merged and again[1].id != first.id
    assert again[2].merged and again[2].id == first.id
    rows = {m.id: m for m in _memories(database, user)}
    assert len(rows) == 2
    merged = rows[first.id]
    assert merged.source_turn_ids == ["t1", "t2", "t4"]
    assert merged.provenance["mentions"] == 3 and len(merged.provenance["sources"]) == 3
    assert "x" in merged.tags and merged.times_retrieved == 1


def test_duplicates_inside_one_batch_merge_too(service, database, user):
    added = service.add_memories(user, ["I love green tea.", "I love green tea!"])
    assert added[1].merged and added[1].id == added[0].id
    assert len(_memories(database, user)) == 1


def test_chat_turn_remembers_statements_with_provenance_not_questions(service, user):
    stated = service.chat_turn(user, "I started learning the cello in May.", episode_id="ep-1")
    assert stated.stored_memory is not None
    asked = service.chat_turn(user, "What instrument am I learning?")
    assert asked.stored_memory is None
    assert "cello" in asked.answer and not asked.abstained
    record = service.list_memories(user)[0]
    assert record.source_turn_ids == [str(stated.pipeline_run_id)]
    assert record.occurred_at == NOW and record.provenance["episode_id"] == "ep-1"
    assert record.times_retrieved == 1 and record.times_used == 1


def test_telemetry_has_a_run_and_one_event_per_stage_with_spec_columns(service, database, user):
    service.add_memories(user, ["My favourite city is Cork."])
    result = service.chat_turn(
        user,
        "What is my favourite city?",
        cycle_type="micro",
        episode_id="ep-9",
        relevant_turn_ids=[],
    )
    with session_scope(database.engine) as session:
        run = session.get(PipelineRun, result.pipeline_run_id)
        events = {
            e.stage: e
            for e in session.scalars(
                select(TelemetryEvent).where(TelemetryEvent.pipeline_id == result.pipeline_run_id)
            )
        }
    assert run is not None and run.user_id == user and run.cycle_type == "micro"
    assert run.episode_id == "ep-9" and run.answer == result.answer and run.status == "ok"
    assert set(events) == {"analyzer", "assembler", "responder", "e2e"}
    for event in events.values():
        assert event.latency_ms is not None and event.latency_ms >= 0
        assert event.user_id == user and event.cycle_type == "micro" and event.isolation_ok
    assembler, responder, e2e = events["assembler"], events["responder"], events["e2e"]
    assert assembler.memories_found == 1 and assembler.memories_used == 1
    assert assembler.avg_memory_age_days == pytest.approx(0.0)
    assert assembler.tag_overlap_score is not None and assembler.tag_overlap_score > 0
    # Ground truth was given (no relevant turns), so the hit is a real one: a miss.
    assert assembler.hit_rate == 0.0 and assembler.retrieval_relevant is False
    assert responder.prompt_tokens > 0 and responder.completion_tokens > 0
    assert responder.total_cost_usd == 0.0 and responder.retry_count == 0
    assert responder.context_utilized is True and responder.hallucination_detected is False
    assert e2e.latency_ms >= responder.latency_ms and e2e.error_type is None


def test_buffered_telemetry_is_written_in_batches(database, settings, user):
    with make_student(settings, database, telemetry_flush_every=5) as service:
        for i in range(3):
            service.chat_turn(user, f"Note {i}: the plumber comes on Friday.")
        assert service.telemetry.pending == 3
        with database.engine.connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM pipeline_runs WHERE user_id = :u"), {"u": user}
            ).scalar_one()
        assert count == 0
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT count(DISTINCT r.id), count(e.id) FROM pipeline_runs r "
                "JOIN telemetry_events e ON e.pipeline_id = r.id WHERE r.user_id = :u"
            ),
            {"u": user},
        ).one()
    assert tuple(rows) == (3, 12)



def _runs_of(database, user) -> int:
    with database.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM pipeline_runs WHERE user_id = :u"), {"u": user}
        ).scalar_one()


def test_a_stop_signal_writes_buffered_telemetry_without_waiting_on_held_rows(
    database, settings, user
):
    service = make_student(settings, database, telemetry_flush_every=50)
    service.chat_turn(user, "Note: the plumber comes on Friday.")
    # Another transaction holds the table (as an interrupted statement's may): the write
    # on a stop gives up after its wait instead of keeping the process from stopping.
    with database.engine.connect() as holder:
        holder.execute(text("LOCK TABLE pipeline_runs IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt), service:
            raise KeyboardInterrupt("SIGTERM")
        assert time.monotonic() - started < 30
        holder.rollback()
    assert _runs_of(database, user) == 0 and service.telemetry.pending == 1  # kept, not lost
    # With nothing in the way the same stop writes them.
    with pytest.raises(KeyboardInterrupt), service:
        raise KeyboardInterrupt("SIGTERM")
    assert _runs_of(database, user) == 1 and service.telemetry.pending == 0

@respx.mock
def test_a_failing_responder_is_recorded_as_an_error_turn(database, settings, user):
    online = Settings(
        database_url=settings.database_url,
        home=settings.home,
        responder={"provider": "openai", "base_url": "http://llm.test/v1", "api_key": "k",
                   "max_retries": 0},
    )  # fmt: skip
    respx.post("http://llm.test/v1/chat/completions").mock(
        return_value=httpx.Response(503, json={"error": {"message": "down"}})
    )
    service = make_student(online, database, clock=lambda: NOW)
    service.add_memories(user, ["I keep bees."])
    with pytest.raises(ProviderUnavailableError):
        service.chat_turn(user, "What do I keep?")
    with database.engine.connect() as conn:
        run = conn.execute(
            text("SELECT id, status, error_type FROM pipeline_runs WHERE user_id = :u"), {"u": user}
        ).one()
        stages = dict(
            conn.execute(
                text("SELECT stage, error_type FROM telemetry_events WHERE pipeline_id = :p"),
                {"p": run.id},
            ).all()
        )
    assert run.status == "error" and run.error_type == "provider_unavailable"
    assert stages == {
        "analyzer": None,
        "assembler": None,
        "responder": "provider_unavailable",
        "e2e": "provider_unavailable",
    }


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * (16 * 1024 + 1), "bad\x00byte", "lone \ud800 surrogate", b"\xff\xfe"],
    ids=["empty", "blank", "too-long", "nul", "surrogate", "not-utf8"],
)
def test_bad_queries_are_refused_clearly(service, user, query):
    with pytest.raises(InvalidInputError):
        service.search(user, query)
    with pytest.raises(InvalidInputError):
        service.chat_turn(user, query)


def test_a_batch_with_one_bad_item_stores_nothing(service, database, user):
    with pytest.raises(InvalidInputError, match="item 1"):
        service.add_memories(user, ["A fine memory.", "bad\x00one", "Another."])
    with pytest.raises(InvalidInputError):
        service.add_memories(user, [{"text": "ok", "unknown_field": 1}])
    with pytest.raises(InvalidInputError):
        service.add_memories(user, [])
    assert _memories(database, user) == []


def test_other_bad_input(service, user):
    with pytest.raises(InvalidInputError):
        service.chat_turn(user, "hello there", cycle_type="hourly")
    with pytest.raises(InvalidInputError):
        service.search("", "query")
    with pytest.raises(InvalidInputError):
        service.delete_memories(user, ["not-a-uuid"])


def test_delete_is_per_user_and_all_or_nothing(service, database, user):
    mine = service.add_memories(user, ["I run on Tuesdays.", "I swim on Fridays."])
    theirs = service.add_memories(f"{user}-other", ["I cycle on Mondays."])
    with pytest.raises(NotFoundError):
        service.delete_memories(user, [mine[0].id, theirs[0].id])
    assert len(_memories(database, user)) == 2
    assert service.delete_memories(user, [mine[0].id]) == 1
    assert service.delete_memories(user) == 1
    assert service.list_memories(user) == []
    assert len(service.list_memories(f"{user}-other")) == 1
    with pytest.raises(NotFoundError):
        service.delete_memories(user, [uuid.uuid4()])


def test_a_responder_failing_after_retries_records_its_type_and_retries(
    database, settings, user, llm_server
):
    online = on_server(settings, llm_server.base_url, roles=("responder",), max_retries=2)
    llm_server.fail("rate_limit_retry_after", times=3)
    service = make_student(online, database, clock=lambda: NOW)
    service.add_memories(user, ["I keep bees."])
    with pytest.raises(ProviderRateLimitError) as raised:
        service.chat_turn(user, "What do I keep?")
    assert raised.value.retries == 2
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.stage, e.error_type, e.retry_count FROM telemetry_events e "
                "JOIN pipeline_runs r ON r.id = e.pipeline_id WHERE r.user_id = :u "
                "AND e.stage IN ('responder', 'e2e') ORDER BY e.stage"
            ),
            {"u": user},
        ).all()
    assert [tuple(r) for r in rows] == [
        ("e2e", "provider_rate_limited", 2),
        ("responder", "provider_rate_limited", 2),
    ]
    answer = service.chat_turn(user, "What do I keep?")  # the fault is gone: it answers
    assert answer.answer and llm_server.models_called()["responder-model"] == 4


def test_the_responder_model_override_reaches_the_provider(database, settings, user, llm_server):
    online = on_server(settings, llm_server.base_url, roles=("responder",))
    service = make_student(online, database, clock=lambda: NOW)
    service.add_memories(user, ["I keep bees."])
    service.chat_turn(user, "What do I keep?")
    service.chat_turn(user, "What do I keep?", params={"responder.model": "responder-large"})
    assert [r.model for r in llm_server.requests] == ["responder-model", "responder-large"]
    with database.engine.connect() as conn:
        models = conn.execute(
            text("SELECT count(*) FROM pipeline_runs WHERE user_id = :u AND status = 'ok'"),
            {"u": user},
        ).scalar_one()
    assert models == 2

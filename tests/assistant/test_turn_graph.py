"""The assistant's turn graph: the Student with the micrograph as a tool node."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from selflearn.assistant import Assistant, build_turn_graph, micrograph_tool
from selflearn.errors import InvalidInputError
from selflearn.graph import CampaignOptions
from selflearn.learners.micrograph import MicrographConfig
from selflearn.maas import StudentClient
from selflearn.store import session_scope
from selflearn.store.models import MicrographTurn, PipelineRun, UserSettings
from tests.factories import NOW, make_components
from tests.graph.campaign_fixtures import small_scenarios

MEMORIES = [
    "I bake sourdough bread every Sunday with a rye starter",
    "I love the sea at dawn, it makes me so happy",
    "I still haven't finished restoring my grandfather's old bicycle",
]
ON = {"micrograph.enabled": "on"}


@pytest.fixture
def assistant(settings, database):
    built = make_components(settings, database, clock=lambda: NOW)
    with built.assistant() as made:
        yield made


def _rows(service, user):
    with session_scope(service.engine) as session:
        return session.scalars(
            select(MicrographTurn).where(MicrographTurn.user_id == user).order_by(MicrographTurn.id)
        ).all()


def test_the_graph_runs_analyse_tool_respond_record() -> None:
    graph = build_turn_graph()
    assert set(graph.nodes) == {
        "analyse_turn",
        "pick_transition",
        "give_feedback",
        "respond",
        "record_turn",
    }
    assert build_turn_graph() is not graph  # a builder, not a shared global


def test_the_assistant_is_a_student_client(assistant) -> None:
    client: StudentClient = assistant
    assert callable(client.chat_turn)


def test_off_by_default_it_answers_exactly_as_the_student(assistant, service, user) -> None:
    other = user + "-student"
    for who in (user, other):
        service.add_memories(who, MEMORIES, now=NOW)
    mine = assistant.chat_turn(user, "When do I bake bread?", now=NOW)
    theirs = service.chat_turn(other, "When do I bake bread?", now=NOW)
    assistant.flush()
    assert mine.answer == theirs.answer and mine.params == theirs.params
    assert _rows(service, user) == []


def test_on_it_steers_an_exhausted_topic_and_records_the_turns(assistant, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    answers = []
    for i, message in enumerate(["Tell me about my sourdough bread and rye starter", "ok", "ok"]):
        answers.append(
            assistant.chat_turn(user, message, now=NOW + timedelta(minutes=i), params=ON).answer
        )
    assistant.flush()
    rows = _rows(service, user)
    assert len(rows) == 3 and rows[-1].exhausted and rows[-1].transition_type is not None
    assert "By the way" in answers[-1] and "By the way" not in answers[0]
    with session_scope(service.engine) as session:
        runs = session.scalars(select(PipelineRun.id).where(PipelineRun.user_id == user)).all()
    assert {r.pipeline_id for r in rows} <= set(runs)
    reply = assistant.chat_turn(user, "Yes, the sea at dawn, I love it so much", params=ON, now=NOW)
    assistant.flush()
    assert reply.answer and _rows(service, user)[-1].success is not None


def test_an_opted_out_user_is_answered_but_not_tracked(assistant, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    with session_scope(service.engine) as session:
        session.add(UserSettings(user_id=user, profiling_enabled=False))
    reply = assistant.chat_turn(user, "When do I bake bread?", params=ON, now=NOW)
    assistant.flush()
    assert reply.answer
    assert [r.skipped for r in _rows(service, user)] == ["profiling_opt_out"]


def test_an_unknown_intent_is_answered_and_says_why(assistant, service, user) -> None:
    reply = assistant.chat_turn(user, "hello", params=ON, intent="conquest", now=NOW)
    assistant.flush()
    assert reply.answer
    assert [r.skipped for r in _rows(service, user)] == ["unknown_intent"]


def test_the_stored_intent_is_the_default(assistant, service, user) -> None:
    with session_scope(service.engine) as session:
        session.add(UserSettings(user_id=user, agent_intent="support"))
    assistant.chat_turn(user, "hello there", params=ON, now=NOW)
    assistant.flush()
    assert [r.agent_intent for r in _rows(service, user)] == ["support"]


def test_the_micrograph_is_a_langchain_tool(assistant, service, user) -> None:
    service.add_memories(user, MEMORIES, now=NOW)
    tool = micrograph_tool(assistant.micrograph, MicrographConfig(enabled=True), user_id=user)
    assert tool.name == "pick_next_topic"
    said = [tool.invoke({"message": m}) for m in (MEMORIES[0], "ok", "ok")]
    assert said[0] == "Stay on the current topic."
    assert any(s.startswith("Steer to a new topic") for s in said)
    assert "skipped: unknown_intent" in micrograph_tool(
        assistant.micrograph, MicrographConfig(enabled=True), user_id=user, intent="x"
    ).invoke({"message": "hi"})


def test_campaigns_play_through_the_assistant(settings, database) -> None:
    built = make_components(settings, database)
    assert isinstance(built.campaign_runner().student, Assistant)
    assert "micrograph.enabled" in built.ignored_factors  # scripted users: not tested


def test_an_engagement_goal_is_refused_offline_with_the_reason(
    settings, database, tmp_path
) -> None:
    options = CampaignOptions(
        goal_text="raise engagement without hurting recall",
        scenarios=(str(small_scenarios(tmp_path)),),
    )
    runner = make_components(settings, database).campaign_runner()
    with pytest.raises(InvalidInputError) as refused:
        runner.start(options)
    assert "does not react to the assistant" in (refused.value.hint or "")


def test_studio_opens_the_turn_graph_and_runs_a_bare_turn(settings, database, user) -> None:
    entry = json.loads((Path(__file__).resolve().parents[2] / "langgraph.json").read_text())
    module_name, attribute = entry["graphs"]["turn"].split(":")
    module = importlib.import_module(module_name)
    module._studio_turn_graph.cache_clear()
    try:
        graph = getattr(module, attribute)
        final = graph.invoke({"user_id": user, "message": "hello there", "options": {"params": ON}})
    finally:
        module._studio_turn_graph.cache_clear()
    assert final["result"].answer and final["step"].tec is not None
    with session_scope(database.engine) as session:
        rows = session.scalars(select(MicrographTurn).where(MicrographTurn.user_id == user)).all()
    assert len(rows) == 1

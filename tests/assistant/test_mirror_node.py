"""The mirror hub as the turn graph's second tool node: observe, feedback, tone directive."""

from __future__ import annotations

from sqlalchemy import delete, select

from selflearn.assistant import Assistant
from selflearn.learners.micrograph import Micrograph
from selflearn.maas import TONE_PREFIX
from selflearn.store import session_scope
from selflearn.store.models import MirrorEvent
from tests.factories import NOW, make_components, on_server
from tests.learners.mirror_helpers import StepClock


def _turn(assistant: Assistant, user: str, message: str, **options):
    state = {"user_id": user, "message": message, "options": {"now": NOW, **options}}
    return assistant.graph.invoke(state, context=assistant.context)


def test_the_components_give_the_assistant_one_cached_mirror_loop(settings, database) -> None:
    built = make_components(settings, database)
    assert built.mirror_loop() is built.mirror_loop()
    assert built.assistant().context.mirror is built.mirror_loop()
    assert built.campaign_runner().student.context.mirror is None  # simulated turns


def test_the_hub_node_observes_steers_and_logs_the_turn(settings, database, user) -> None:
    with session_scope(database.engine) as session:
        session.execute(delete(MirrorEvent))
    clock = StepClock()
    built = make_components(settings, database, clock=clock)
    with built.assistant() as assistant:
        final = _turn(assistant, user, "I feel happy and calm today")
        feedback = final["feedback"]
        assert feedback.user_id == user and feedback.field.user_count == 1
        assert feedback.logged and feedback.action is not None
        assert final["tone"].startswith(f"answer in a {feedback.action.tone} tone")
        assert final["result"].answer
        clock.advance(5)
        assert built.mirror_loop().tick() == 1
    with session_scope(database.engine) as session:
        (row,) = session.scalars(select(MirrorEvent)).all()
    assert row.bucket_key == feedback.bucket_key and row.tone == feedback.action.tone


def test_the_tone_reaches_the_responder(settings, database, user, llm_server) -> None:
    online = on_server(settings, llm_server.base_url, roles=("responder",))
    built = make_components(online, database, clock=StepClock())
    with built.assistant() as assistant:
        built.student().add_memories(user, ["I walk my dog by the river every morning."])
        final = _turn(assistant, user, "Where do I walk my dog?")
    (request,) = [r for r in llm_server.requests if r.model == "responder-model"]
    tones = [
        m["content"]
        for m in request.messages
        if m["role"] == "system" and str(m["content"]).startswith(TONE_PREFIX)
    ]
    assert tones == [f"{TONE_PREFIX}{final['tone']}"]


def test_an_opted_out_user_gets_no_tone(settings, database, user) -> None:
    built = make_components(settings, database, clock=StepClock())
    built.mirror_loop().set_enabled(user, False)
    with built.assistant() as assistant:
        final = _turn(assistant, user, "I feel happy and calm today")
    assert final["feedback"].action is None and final["tone"] is None
    assert final["result"].answer


def test_without_a_mirror_loop_or_for_simulated_turns_the_node_does_nothing(
    settings, database, service, user
) -> None:
    built = make_components(settings, database, clock=StepClock())
    micrograph = Micrograph(database.engine, embedder=built.embedder)
    bare = Assistant(service, micrograph)
    final = _turn(bare, user, "I feel happy")
    assert "feedback" not in final and final["result"].answer
    with built.assistant() as assistant:
        simulated = _turn(assistant, user, "I feel happy", cycle_type="macro")
    assert "feedback" not in simulated
    assert built.mirror_loop().field().user_count == 0

"""LLM mode: the real ChatOpenAI client against respx-mocked tool calls; code validates them."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from sqlalchemy import select

from selflearn.agents.manager import SYSTEM_PROMPT, Manager
from selflearn.providers import OfflineChatModel
from selflearn.settings import get_settings
from selflearn.store import session_scope
from selflearn.store.models import ManagerMessage
from tests.agents.manager_fakes import FakeTools
from tests.factories import make_components

BASE = "http://manager-llm.test/v1"
URL = f"{BASE}/chat/completions"

GOAL_ARGS = {
    "primary": [{"metric": "hallucination_rate", "direction": "decrease", "target": 0.03}],
    "guardrails": [{"metric": "recall", "kind": "non_inferiority", "margin": 0.02}],
    "ignore": ["cost_per_turn_usd"],
    "scope": "personal memory",
    "forbid": ["prompt"],
}


def answer(*calls: tuple[str, dict | str], content: str | None = None) -> httpx.Response:
    tool_calls = [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {
                "name": name,
                "arguments": args if isinstance(args, str) else json.dumps(args),
            },
        }
        for i, (name, args) in enumerate(calls)
    ]
    message: dict = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-m",
            "object": "chat.completion",
            "created": 1,
            "model": "manager-model",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": 300, "completion_tokens": 40, "total_tokens": 340},
        },
    )


@pytest.fixture
def llm(database, monkeypatch):
    monkeypatch.setenv("SELFLEARN_MANAGER__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_MANAGER__BASE_URL", BASE)
    monkeypatch.setenv("SELFLEARN_MANAGER__API_KEY", "sk-manager")
    monkeypatch.setenv("SELFLEARN_MANAGER__MODEL", "manager-model")
    monkeypatch.setenv("SELFLEARN_MANAGER__MAX_RETRIES", "0")
    get_settings.cache_clear()
    model = make_components(get_settings(), database).manager_llm()
    assert model is not None
    yield model
    get_settings.cache_clear()


@pytest.fixture
def tools() -> FakeTools:
    return FakeTools()


@pytest.fixture
def manager(database, tools, llm) -> Manager:
    return Manager(tools, engine=database.engine, llm=llm)


def test_offline_settings_give_no_model_and_offline_models_use_the_parser(database, tools):
    get_settings.cache_clear()
    assert make_components(get_settings(), database).manager_llm() is None
    manager = Manager(tools, engine=database.engine, llm=OfflineChatModel(role="manager"))
    assert manager.mode == "offline"


@respx.mock
def test_a_set_goal_call_is_validated_restated_and_confirmed_without_the_model(manager, tools):
    route = respx.post(URL).mock(return_value=answer(("set_goal", GOAL_ARGS)))
    reply = manager.handle("Hallucinations on personal memory must go under 3%, keep recall")
    assert manager.mode == "llm"
    assert reply.awaiting_confirmation
    assert "bring down hallucination rate to 3 % or less" in reply.text
    assert "Never touched: responder.system_prompt_version." in reply.text
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "manager-model"
    assert sent["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert {t["function"]["name"] for t in sent["tools"]} >= {"set_goal", "approve", "rollback"}
    assert tools.calls == []
    reply = manager.handle("yes")
    assert route.call_count == 1  # the yes is read by code, not by the model
    spec = tools.goals[0].spec
    assert spec.primary[0].target == 0.03
    assert spec.forbidden_factors == ["responder.system_prompt_version"]
    assert spec.scenario_tags == ["personal"]


@respx.mock
def test_an_invalid_goal_from_the_model_is_asked_back(manager, tools):
    bad = {"primary": [{"metric": "hallucination_rate", "direction": "increase"}]}
    respx.post(URL).mock(return_value=answer(("set_goal", bad)))
    reply = manager.handle("more hallucinations please")
    assert not reply.awaiting_confirmation
    assert "not valid" in reply.text and "better when lower" in reply.text
    assert "I have changed nothing" in reply.text
    assert tools.calls == [] and manager.pending is None


@respx.mock
def test_a_goal_the_spec_refuses_is_asked_back(manager, tools):
    respx.post(URL).mock(return_value=answer(("set_goal", {**GOAL_ARGS, "scope": "mars"})))
    reply = manager.handle("cut hallucinations on mars")
    assert "I could not turn that into a goal" in reply.text and "unknown scope 'mars'" in (
        reply.text
    )
    assert manager.pending is None and tools.calls == []


@respx.mock
def test_unknown_tools_and_malformed_arguments_do_nothing(manager, tools):
    route = respx.post(URL).mock(
        side_effect=[answer(("delete_everything", {})), answer(("approve", "{not json"))]
    )
    # A tool nobody offered is a bad answer: retried (none here: MAX_RETRIES=0), refused.
    refused = manager.handle("wipe it")
    assert "called a tool it was not offered (delete_everything)" in refused.text
    assert refused.intent == "provider_error" and route.call_count == 1
    reply = manager.handle("approve the thing")
    assert "malformed" in reply.text
    assert tools.calls == []


@respx.mock
def test_approve_and_rollback_from_the_model_still_wait_for_yes(manager, tools):
    tools.add_proposal(3)
    respx.post(URL).mock(
        side_effect=[
            answer(("approve", {"proposal_id": 3, "note": "fine"})),
            answer(("rollback", {"reason": "recall dropped"})),
        ]
    )
    reply = manager.handle("go with the prompt proposal")
    assert reply.awaiting_confirmation and "Approve proposal #3" in reply.text
    assert "approve" not in tools.names()
    reply = manager.handle("actually undo the last change, recall dropped")
    assert reply.awaiting_confirmation and "recall dropped" in reply.text
    assert reply.text.startswith("(I set aside the earlier request: Approve proposal #3")
    manager.handle("yes")
    assert tools.names()[-1] == "rollback" and "approve" not in tools.names()


@respx.mock
def test_several_calls_run_in_order_and_the_model_text_comes_first(manager, tools):
    respx.post(URL).mock(
        return_value=answer(("status", {}), ("list_proposals", {}), content="Here you go.")
    )
    reply = manager.handle("where are we and what waits for me?")
    assert reply.text.startswith("Here you go.\n\nStatus (offline providers)")
    assert "No proposal is waiting" in reply.text
    assert tools.names() == ["status", "list_proposals"]


@respx.mock
def test_a_clarifying_question_without_tools_is_passed_on(manager, tools, database):
    respx.post(URL).mock(return_value=answer(content="Which metric should improve?"))
    reply = manager.handle("be smarter")
    assert reply.text == "Which metric should improve?"
    assert tools.calls == []


@respx.mock
def test_history_is_sent_and_usage_is_recorded(manager, database):
    route = respx.post(URL).mock(return_value=answer(content="Noted."))
    manager.handle("first message")
    manager.handle("second message")
    sent = json.loads(route.calls.last.request.content)["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1]["content"] == "first message" and sent[2]["content"] == "Noted."
    with session_scope(database.engine) as session:
        owner = session.scalars(
            select(ManagerMessage).where(
                ManagerMessage.conversation_id == manager.conversation_id,
                ManagerMessage.role == "owner",
            )
        ).first()
        assert owner is not None
        assert owner.data["mode"] == "llm"
        assert owner.data["llm"] == {
            "prompt_tokens": 300, "completion_tokens": 40, "model": "manager-model"
        }  # fmt: skip


@respx.mock
def test_a_provider_failure_is_a_plain_reply(manager, tools):
    respx.post(URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad"}}))
    reply = manager.handle("status please")
    assert reply.text.startswith("I could not reach my language model, so I did nothing")
    assert "SELFLEARN_MANAGER__API_KEY" in reply.text
    assert tools.calls == []


def test_a_goal_is_read_by_the_manager_model_on_the_server(settings, llm_server):
    from selflearn.agents.manager import read_goal
    from selflearn.errors import InvalidInputError
    from selflearn.providers import chat_model
    from tests.factories import on_server
    from tests.llm_roles import role_handlers

    llm_server.handlers = role_handlers()
    model = chat_model("manager", on_server(settings, llm_server.base_url, roles=("manager",)))
    spec = read_goal("I want fewer hallucinations, keep recall above 0.7", llm=model)
    assert [t.metric for t in spec.primary] == ["hallucination_rate"]
    assert llm_server.models_called()["manager-model"] == 1
    assert llm_server.requests[0].tools  # the goal went to the model as a tool call
    with pytest.raises(InvalidInputError, match="did not understand the goal"):
        read_goal("what's the weather?", llm=model)

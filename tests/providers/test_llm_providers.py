"""The real ChatOpenAI client against respx-mocked HTTP, and the offline provider contract."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from selflearn.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from selflearn.providers import (
    OfflineChatModel,
    invoke_chat,
    invoke_structured,
)
from selflearn.settings import get_settings
from tests.factories import role_model

BASE = "http://llm.test/v1"
URL = f"{BASE}/chat/completions"


class Verdict(BaseModel):
    label: str
    score: float


def completion(content: str, *, prompt: int = 12, completion_tokens: int = 5) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
    }


@pytest.fixture
def openai_judge(monkeypatch):
    monkeypatch.setenv("SELFLEARN_JUDGE__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_JUDGE__BASE_URL", BASE)
    monkeypatch.setenv("SELFLEARN_JUDGE__API_KEY", "sk-test")
    monkeypatch.setenv("SELFLEARN_JUDGE__MODEL", "test-model")
    monkeypatch.setenv("SELFLEARN_JUDGE__MAX_RETRIES", "2")
    monkeypatch.setenv("SELFLEARN_JUDGE__TIMEOUT_S", "2")
    monkeypatch.setenv("SELFLEARN_JUDGE__PROMPT_PRICE_PER_MTOK", "1000")
    monkeypatch.setenv("SELFLEARN_JUDGE__COMPLETION_PRICE_PER_MTOK", "2000")
    get_settings.cache_clear()
    yield role_model("judge")
    get_settings.cache_clear()


MESSAGES = [SystemMessage("You judge answers."), HumanMessage("Is Paris in France?")]


@respx.mock
def test_success_records_tokens_cost_and_sends_the_configured_request(openai_judge):
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=completion("yes")))
    call = invoke_chat(openai_judge, MESSAGES, role="judge")
    assert call.text == "yes"
    assert (call.prompt_tokens, call.completion_tokens) == (12, 5)
    assert call.cost_usd == pytest.approx((12 * 1000 + 5 * 2000) / 1e6)
    assert call.retries == 0
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "test-model"
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-test"


@respx.mock
def test_structured_output_parses_into_the_pydantic_model(openai_judge):
    respx.post(URL).mock(
        return_value=httpx.Response(200, json=completion('{"label": "correct", "score": 0.9}'))
    )
    parsed, call = invoke_structured(openai_judge, MESSAGES, Verdict, role="judge")
    assert parsed == Verdict(label="correct", score=0.9)
    assert call.prompt_tokens == 12


@respx.mock
def test_rate_limit_then_success_is_retried_and_counted(openai_judge):
    limited = httpx.Response(429, json={"error": {"message": "slow down"}},
                             headers={"retry-after-ms": "5"})  # fmt: skip
    respx.post(URL).mock(side_effect=[limited, httpx.Response(200, json=completion("ok"))])
    call = invoke_chat(openai_judge, MESSAGES, role="judge")
    assert call.text == "ok"
    assert call.retries == 1


@respx.mock
def test_rate_limit_exhausted_gives_typed_error(openai_judge):
    limited = httpx.Response(429, json={"error": {"message": "slow down"}},
                             headers={"retry-after-ms": "5"})  # fmt: skip
    route = respx.post(URL).mock(return_value=limited)
    with pytest.raises(ProviderRateLimitError) as caught:
        invoke_chat(openai_judge, MESSAGES, role="judge")
    assert route.call_count == 3
    assert "SELFLEARN_JUDGE__MAX_RETRIES" in caught.value.hint


@respx.mock
def test_server_errors_exhausted_give_unavailable(openai_judge):
    failing = httpx.Response(500, json={"error": {"message": "boom"}},
                             headers={"retry-after-ms": "5"})  # fmt: skip
    route = respx.post(URL).mock(return_value=failing)
    with pytest.raises(ProviderUnavailableError):
        invoke_chat(openai_judge, MESSAGES, role="judge")
    assert route.call_count == 3


@respx.mock
def test_timeout_gives_typed_error(monkeypatch, openai_judge):
    monkeypatch.setattr(openai_judge, "max_retries", 0)
    respx.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ProviderTimeoutError) as caught:
        invoke_chat(openai_judge, MESSAGES, role="judge")
    assert "TIMEOUT_S" in caught.value.hint


@respx.mock
def test_malformed_structured_json_gives_response_error(openai_judge):
    respx.post(URL).mock(return_value=httpx.Response(200, json=completion("{not json")))
    with pytest.raises(ProviderResponseError):
        invoke_structured(openai_judge, MESSAGES, Verdict, role="judge")


@respx.mock
def test_wrong_schema_json_gives_response_error(openai_judge):
    respx.post(URL).mock(return_value=httpx.Response(200, json=completion('{"label": 3}')))
    with pytest.raises(ProviderResponseError):
        invoke_structured(openai_judge, MESSAGES, Verdict, role="judge")


@respx.mock
def test_wrong_api_key_names_the_setting(openai_judge):
    respx.post(URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(ProviderAuthError) as caught:
        invoke_chat(openai_judge, MESSAGES, role="judge")
    assert "SELFLEARN_JUDGE__API_KEY" in caught.value.hint


def test_unknown_provider_name_is_a_config_error(monkeypatch):
    monkeypatch.setenv("SELFLEARN_MANAGER__PROVIDER", "anthropicc")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as caught:
            get_settings()
        assert "SELFLEARN_MANAGER__PROVIDER" in str(caught.value)
    finally:
        get_settings.cache_clear()


def test_openai_without_key_or_url_is_a_config_error(monkeypatch):
    monkeypatch.setenv("SELFLEARN_TEACHER__PROVIDER", "openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="no API key"):
            role_model("teacher")
    finally:
        get_settings.cache_clear()


def test_role_settings_inherit_from_the_shared_llm_section(monkeypatch):
    monkeypatch.setenv("SELFLEARN_LLM__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_LLM__MODEL", "shared-model")
    monkeypatch.setenv("SELFLEARN_TEACHER__MODEL", "teacher-model")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.llm_for("judge").model == "shared-model"
        assert settings.llm_for("teacher").model == "teacher-model"
        assert settings.llm_for("teacher").provider == "openai"
    finally:
        get_settings.cache_clear()


def test_offline_model_is_deterministic_and_counts_tokens():
    model = OfflineChatModel(role="unit-test-role", seed=7)
    first = invoke_chat(model, MESSAGES, role="judge")
    second = invoke_chat(OfflineChatModel(role="unit-test-role", seed=7), MESSAGES, role="judge")
    other = OfflineChatModel(role="unit-test-role", seed=8)
    other_seed = invoke_chat(other, MESSAGES, role="judge")
    assert first.text == second.text
    assert first.text != other_seed.text
    assert first.prompt_tokens > 0 and first.completion_tokens > 0
    assert first.cost_usd == 0.0


def test_offline_handler_defines_role_behaviour_including_structured_output():
    def handler(messages, *, schema, seed):
        if schema is Verdict:
            return Verdict(label="offline", score=float(seed))
        return f"seed {seed} saw {len(messages)} messages"

    model = OfflineChatModel(role="unit-test-judge", seed=3, handler=handler)
    assert invoke_chat(model, MESSAGES, role="judge").text == "seed 3 saw 2 messages"
    parsed, call = invoke_structured(model, MESSAGES, Verdict, role="judge")
    assert parsed == Verdict(label="offline", score=3.0)
    assert call.completion_tokens > 0

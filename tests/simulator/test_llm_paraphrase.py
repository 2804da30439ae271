"""The emulator's LLM mode through the real ChatOpenAI with respx-mocked HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from selflearn.settings import get_settings
from selflearn.simulator import generate_dialogue, load_scenario
from selflearn.simulator.llm_paraphrase import LLMParaphraser
from tests.factories import role_model

ROOT = Path(__file__).resolve().parents[2]
URL = "http://emulator.test/v1/chat/completions"


def _reply(content: str) -> httpx.Response:
    return httpx.Response(200, json={
        "id": "x", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    })  # fmt: skip


@pytest.fixture
def emulator_model(monkeypatch):
    monkeypatch.setenv("SELFLEARN_EMULATOR__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_EMULATOR__BASE_URL", "http://emulator.test/v1")
    monkeypatch.setenv("SELFLEARN_EMULATOR__API_KEY", "k")
    monkeypatch.setenv("SELFLEARN_EMULATOR__MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield role_model("emulator")
    get_settings.cache_clear()


@respx.mock
def test_llm_paraphrases_are_used_when_they_keep_planted_values(emulator_model):
    scenario = load_scenario(ROOT / "scenarios" / "moved-city.yaml")

    def answer(request: httpx.Request) -> httpx.Response:
        content = json.loads(request.content)["messages"][-1]["content"]
        message, keep = content.removeprefix("MESSAGE: ").split("\nKEEP: ")
        spans = [] if keep == "(nothing)" else keep.split(" | ")
        # Keep every planted value in some answers, drop them in the others.
        if len(message) % 2 == 0:
            return _reply("Honestly: " + ", ".join(spans) + " - that is the news.")
        return _reply("Something entirely different.")

    respx.post(URL).mock(side_effect=answer)
    events = generate_dialogue(scenario, 3, paraphraser=LLMParaphraser(emulator_model))
    kinds = {e.paraphrase for e in events if e.kind == "fact"}
    assert "custom" in kinds, "some model paraphrases were accepted"
    for event in events:
        for fact in scenario.facts:
            if fact.id in event.fact_ids and fact.value:
                assert fact.value in event.text, "planted values stay verifiable"

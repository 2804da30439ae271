"""Every impact factor of SPEC §4 changes the Student's behaviour exactly as its name says."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import respx

from selflearn.maas import ABSTENTION, ANSWER_RULES, OFFLINE_IGNORED_FACTORS, PROMPTS
from selflearn.settings import Settings
from selflearn.space import ANSWER_STYLES
from tests.factories import NOW, make_student
from tests.maas.maas_fakes import ConceptEmbedder

GARDEN = [
    "I planted tomatoes in the garden this spring.",
    "The garden needs watering every morning in summer.",
    "My neighbour helps me weed the garden on Sundays.",
    "I built a small greenhouse at the end of the garden.",
    "Roses in my garden bloomed early this year.",
    "I compost kitchen scraps for the garden beds.",
    "A fox keeps digging holes in the garden at night.",
    "The garden shed roof leaked after the storm.",
]


def test_top_k_is_the_number_of_memories_returned(service, user):
    service.add_memories(user, GARDEN)
    for k in (1, 3, 7):
        result = service.search(user, "garden", params={"retrieval.top_k": k})
        assert len(result.items) == k
    assert len(service.search(user, "garden", params={"retrieval.top_k": 50}).items) == 8


def test_min_relevance_drops_weak_memories_and_the_responder_abstains(service, user):
    service.add_memories(user, GARDEN)
    loose = service.chat_turn(user, "What is at the end of the garden?")
    assert loose.retrieved and not loose.abstained and "greenhouse" in loose.answer
    strict = service.chat_turn(
        user, "What is at the end of the garden?", params={"retrieval.min_relevance": 0.99}
    )
    assert strict.retrieved == [] and strict.abstained and strict.answer == ABSTENTION
    assert strict.prompt_tokens == 0  # no model asked to guess


def test_relevance_weight_is_the_share_of_dense_against_lexical(database, settings, user):
    embedder = ConceptEmbedder({"zebra": 0, "striped": 0, "horse": 0})
    svc = make_student(settings, database, embedder=embedder, clock=lambda: NOW)
    svc.add_memories(user, ["We saw a striped horse at the park.", "Zebras fascinate my son."])
    dense = svc.search(user, "zebra", params={"retrieval.relevance_weight": 1.0})
    lexical = svc.search(user, "zebra", params={"retrieval.relevance_weight": 0.0})
    assert dense.items[0].text.startswith("We saw a striped horse")
    assert lexical.items[0].text.startswith("Zebras")
    # Lexical only: the memory sharing no word with the query has no relevance at all.
    assert [m.text for m in lexical.items] == ["Zebras fascinate my son."]
    half = svc.search(user, "zebra", params={"retrieval.relevance_weight": 0.5}).items
    for item in half:
        assert item.relevance == pytest.approx(0.5 * item.dense + 0.5 * item.lexical, abs=1e-5)


def test_recency_weight_and_half_life_order_old_against_new(service, user):
    service.add_memories(
        user,
        [
            {"text": "My bicycle is a red bicycle.", "occurred_at": NOW - timedelta(days=300)},
            {"text": "I ride a bicycle sometimes.", "occurred_at": NOW - timedelta(days=1)},
        ],
    )

    def first(**params):
        items = service.search(user, "red bicycle", params=params).items
        return items[0].text

    assert first(**{"retrieval.recency_weight": 0.0}) == "My bicycle is a red bicycle."
    recent = {"retrieval.recency_weight": 0.9, "retrieval.recency_half_life_days": 7}
    assert first(**recent) == "I ride a bicycle sometimes."
    # With a ten-year half-life both memories are equally "recent": relevance decides again.
    slow = {"retrieval.recency_weight": 0.9, "retrieval.recency_half_life_days": 3650}
    assert first(**slow) == "My bicycle is a red bicycle."


def test_keyword_count_limits_lexical_terms_and_zero_turns_lexical_off(service, user):
    service.add_memories(user, GARDEN)
    on = service.search(user, "tomatoes garden greenhouse roses", params={})
    assert any(item.lexical > 0 for item in on.items)
    one = service.search(user, "tomatoes garden greenhouse roses", params={
        "retrieval.keyword_count": 1})  # fmt: skip
    assert one.keywords == ["tomatoes"]
    off = service.search(user, "tomatoes garden greenhouse roses", params={
        "retrieval.keyword_count": 0})  # fmt: skip
    assert off.keywords == [] and off.items
    assert all(item.lexical == 0 and item.relevance == item.dense for item in off.items)


def test_max_tokens_bounds_the_context(service, user):
    long_ones = [f"{text} " + "It was a long and detailed day outside. " * 6 for text in GARDEN]
    service.add_memories(user, long_ones)
    params = {"retrieval.top_k": 8, "context.max_tokens": 100}
    tight = service.chat_turn(user, "Tell me about the garden", params=params)
    assert tight.context_tokens <= 100
    assert 0 < sum(m.in_context for m in tight.retrieved) < len(tight.retrieved) == 8
    roomy = service.chat_turn(
        user, "Tell me about the garden", params={**params, "context.max_tokens": 16000}
    )
    assert all(m.in_context for m in roomy.retrieved) and roomy.context_tokens > 100


def test_the_offline_responder_does_not_read_the_prompt_version(service, user):
    service.add_memories(user, ["My dog is called Rex and he loves the beach."])
    answers = {
        service.chat_turn(
            user, "What is my dog called?", params={"responder.system_prompt_version": version}
        ).answer
        for version in PROMPTS
    }
    assert len(answers) == 1 and "Rex" in answers.pop()
    assert "responder.system_prompt_version" in OFFLINE_IGNORED_FACTORS


def test_answer_style_changes_the_offline_answer(service, user):
    service.add_memories(user, ["My dog is called Rex and he loves the beach."])
    answers = {
        style: service.chat_turn(
            user, "What is my dog called?", params={"responder.answer_style": style}
        ).answer
        for style in ANSWER_STYLES
    }
    assert len(set(answers.values())) == 3
    assert answers["grounded"].endswith("[1]") and "[1]" not in answers["sentence"]
    assert "Rex" in answers["concise"] and len(answers["concise"]) < len(answers["sentence"])


def test_abstain_policy_uncertain_declines_an_answer_that_states_little_of_the_question(
    service, user
):
    service.add_memories(user, ["I bought a new kayak for the lake."])
    question = "What colour is the paddle of my kayak?"
    lenient = service.chat_turn(user, question).answer
    strict = service.chat_turn(user, question, params={"responder.abstain_policy": "uncertain"})
    assert "kayak" in lenient and lenient != ABSTENTION
    assert strict.answer == ABSTENTION and strict.used_memory_ids == []
    sure = service.chat_turn(
        user, "What did I buy for the lake?", params={"responder.abstain_policy": "uncertain"}
    )
    assert "kayak" in sure.answer


def _online_student(database, settings, *, answer: str, prompt_tokens: int):
    """Return a Student whose responder is the real OpenAI client on a mocked endpoint,
    and the mocked route (call within `respx.mock`)."""
    online = Settings(
        database_url=settings.database_url,
        home=settings.home,
        responder={
            "provider": "openai",
            "base_url": "http://llm.test/v1",
            "api_key": "sk-test",
            "max_retries": 0,
        },
    )
    completion = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": answer},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 3,
            "total_tokens": prompt_tokens + 3,
        },
    }
    route = respx.post("http://llm.test/v1/chat/completions").mock(
        return_value=httpx.Response(200, json=completion)
    )
    return make_student(online, database, clock=lambda: NOW), route


@respx.mock
def test_openai_responder_gets_the_prompt_version_and_temperature(database, settings, user):
    svc, route = _online_student(database, settings, answer="Rex [1]", prompt_tokens=120)
    svc.add_memories(user, ["My dog is called Rex."])
    result = svc.chat_turn(
        user,
        "What is my dog called?",
        params={"responder.system_prompt_version": "v3-concise", "responder.temperature": 0.7},
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"][0]["content"] == PROMPTS["v3-concise"].system
    assert len(sent["messages"]) == 2  # the default behaviour adds no instruction
    assert "My dog is called Rex." in sent["messages"][1]["content"]
    assert sent["temperature"] == 0.7
    assert result.answer == "Rex [1]" and result.prompt_tokens == 120
    assert result.used_memory_ids == [result.retrieved[0].id]


@respx.mock
def test_an_llm_responder_reads_the_behaviour_factors_as_instructions(database, settings, user):
    svc, route = _online_student(database, settings, answer="Rex.", prompt_tokens=140)
    svc.add_memories(user, ["My dog is called Rex."])
    svc.chat_turn(
        user,
        "What is my dog called?",
        params={"responder.conflict_policy": "latest", "responder.fact_scope": "own"},
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"][0]["content"] == PROMPTS["v1"].system
    rules = sent["messages"][1]
    assert rules["role"] == "system" and rules["content"].startswith(
        "Answer behaviour (style=sentence; conflicts=latest; scope=own; abstain=unsupported):"
    )
    assert ANSWER_RULES["latest-wins"] in rules["content"]
    assert ANSWER_RULES["own-facts"] in rules["content"]
    assert "[n]" not in rules["content"]  # the default style adds nothing

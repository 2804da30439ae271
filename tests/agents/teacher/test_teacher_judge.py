"""The judge: rule-based offline, structured output over the real client, agreement numbers."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest
import respx

from selflearn.agents.teacher import (
    JudgeVerdict,
    judge_probe,
    judge_probe_call,
    rule_based_verdict,
)
from selflearn.errors import ProviderResponseError
from selflearn.settings import get_settings
from selflearn.simulator import ProbeOutcome, ProbeTruth, RetrievedItem, agreement, score_probe
from tests.factories import role_model

BASE = "http://judge.test/v1"
CONTEXT = ["Mia moved to Lyon in March.", "Mia's sister lives in Cork."]
QUESTION = "Where does Mia live now?"


@pytest.fixture
def offline_judge(monkeypatch):
    monkeypatch.setenv("SELFLEARN_JUDGE__PROVIDER", "offline")
    get_settings.cache_clear()
    yield role_model("judge")
    get_settings.cache_clear()


def test_offline_judge_accepts_a_grounded_correct_answer(offline_judge):
    verdict = judge_probe(
        QUESTION, "She lives in Lyon.", CONTEXT, "Lyon", ["Ghent"], model=offline_judge
    )
    assert verdict.correct and not verdict.hallucinated and verdict.used_context
    assert verdict.score == pytest.approx(1.0)
    assert verdict.rationale.startswith("rule-based judge")


def test_offline_judge_flags_a_stale_value_as_hallucination(offline_judge):
    verdict = judge_probe(
        QUESTION, "She lives in Ghent.", CONTEXT, "Lyon", ["Ghent"], model=offline_judge
    )
    assert verdict.hallucinated and not verdict.correct
    assert verdict.score == 0.0
    assert "forbidden ghent" in verdict.rationale.lower()


def test_offline_judge_rewards_abstaining_on_an_unanswerable_probe(offline_judge):
    verdict = judge_probe(
        "What is Mia's cat called?",
        "I don't know, you never told me.",
        CONTEXT,
        None,
        [],
        model=offline_judge,
    )
    assert verdict.correct and not verdict.hallucinated and not verdict.used_context
    assert verdict.score == 1.0


def test_offline_judge_agrees_with_the_deterministic_metrics_by_construction(offline_judge):
    cases = [
        ("She lives in Lyon.", "Lyon", ["Ghent"]),
        ("Ghent, I think.", "Lyon", ["Ghent"]),
        ("She lives in Madrid with 3 dogs.", "Lyon", []),
        ("I don't remember.", "Lyon", []),
    ]
    scores, verdicts = [], []
    for answer, expected, forbidden in cases:
        scores.append(
            score_probe(
                ProbeOutcome(
                    question=QUESTION,
                    answer=answer,
                    retrieved=[RetrievedItem(id=f"c{i}", text=t) for i, t in enumerate(CONTEXT)],
                ),
                ProbeTruth(answer=expected, forbidden=forbidden),
            )
        )
        verdicts.append(
            judge_probe(QUESTION, answer, CONTEXT, expected, forbidden, model=offline_judge)
        )
        assert verdicts[-1] == rule_based_verdict(QUESTION, answer, CONTEXT, expected, forbidden)
    numbers = agreement(scores, verdicts)
    assert numbers["n"] == 4
    assert numbers["correct"]["agreement"] == 1.0
    assert numbers["hallucinated"]["agreement"] == 1.0
    assert numbers["hallucinated"]["kappa"] == pytest.approx(1.0)


@pytest.fixture
def openai_judge(monkeypatch):
    monkeypatch.setenv("SELFLEARN_JUDGE__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_JUDGE__BASE_URL", BASE)
    monkeypatch.setenv("SELFLEARN_JUDGE__API_KEY", "sk-test")
    monkeypatch.setenv("SELFLEARN_JUDGE__MODEL", "judge-model")
    monkeypatch.setenv("SELFLEARN_JUDGE__MAX_RETRIES", "0")
    monkeypatch.setenv("SELFLEARN_JUDGE__PROMPT_PRICE_PER_MTOK", "1000")
    monkeypatch.setenv("SELFLEARN_JUDGE__COMPLETION_PRICE_PER_MTOK", "2000")
    get_settings.cache_clear()
    yield role_model("judge")
    get_settings.cache_clear()


def _completion(content: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "judge-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 80, "completion_tokens": 30, "total_tokens": 110},
    }


@respx.mock
def test_openai_judge_returns_a_structured_verdict_with_its_cost(openai_judge):
    answer = {
        "correct": True,
        "hallucinated": False,
        "used_context": True,
        "score": 0.9,
        "rationale": "Names Lyon, which the first context item states.",
    }
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion(json.dumps(answer)))
    )
    verdict, call = judge_probe_call(
        QUESTION, "Lyon.", CONTEXT, "Lyon", ["Ghent"], model=openai_judge
    )
    assert verdict == JudgeVerdict(**answer)
    assert (call.prompt_tokens, call.completion_tokens) == (80, 30)
    assert call.cost_usd == pytest.approx((80 * 1000 + 30 * 2000) / 1e6)
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "judge-model"
    probe = json.loads(sent["messages"][-1]["content"])
    assert probe == {
        "answer": "Lyon.",
        "context": CONTEXT,
        "expected": "Lyon",
        "forbidden": ["Ghent"],
        "question": QUESTION,
    }


@respx.mock
def test_openai_judge_out_of_range_score_is_a_typed_error(openai_judge):
    bad = {
        "correct": True,
        "hallucinated": False,
        "used_context": True,
        "score": 7,
        "rationale": "very good",
    }
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion(json.dumps(bad)))
    )
    with pytest.raises(ProviderResponseError):
        judge_probe(QUESTION, "Lyon.", CONTEXT, "Lyon", [], model=openai_judge)


def _verdict(correct: bool, hallucinated: bool) -> JudgeVerdict:
    return JudgeVerdict(
        correct=correct, hallucinated=hallucinated, used_context=True, score=0.5, rationale=""
    )


def test_agreement_rate_and_cohens_kappa():
    stored = [  # stored probe_results rows name the flags differently
        SimpleNamespace(answer_correct=True, hallucination=False),
        SimpleNamespace(answer_correct=True, hallucination=False),
        SimpleNamespace(answer_correct=False, hallucination=False),
        SimpleNamespace(answer_correct=False, hallucination=False),
    ]
    judged = [
        _verdict(True, False),
        _verdict(False, False),
        _verdict(False, False),
        _verdict(False, False),
    ]
    numbers = agreement(stored, judged)
    # Correctness: observed 3/4; chance 0.5 * 0.25 + 0.5 * 0.75 = 0.5; kappa 0.5.
    assert numbers["correct"]["agreement"] == pytest.approx(0.75)
    assert numbers["correct"]["kappa"] == pytest.approx(0.5)
    assert numbers["correct"]["deterministic_rate"] == 0.5
    assert numbers["correct"]["judge_rate"] == 0.25
    # Both say "never hallucinated": full agreement, but kappa is undefined, not perfect.
    assert numbers["hallucinated"]["agreement"] == 1.0
    assert numbers["hallucinated"]["kappa"] is None
    opposite = agreement(stored[:2], [_verdict(False, True), _verdict(True, True)])
    assert opposite["hallucinated"]["agreement"] == 0.0
    disagree = agreement(
        [
            SimpleNamespace(correct=True, hallucinated=True),
            SimpleNamespace(correct=False, hallucinated=False),
        ],
        [_verdict(False, False), _verdict(True, True)],
    )
    assert disagree["correct"]["kappa"] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="aligned"):
        agreement(stored, judged[:2])
    assert agreement([], [])["correct"]["agreement"] is None


def test_judge_agreement_counts_every_disagreement_its_kappa_sees():
    from types import SimpleNamespace

    from selflearn.agents.teacher.judging import summarise

    def row(correct: bool, hallucination: bool, label: str) -> SimpleNamespace:
        return SimpleNamespace(
            scenario_id="s", probe_id="p", variant="baseline", answer_correct=correct,
            hallucination=hallucination, judge_label=label,
        )  # fmt: skip

    rows = [
        row(True, False, "correct"),
        row(True, True, "incorrect_hallucinated"),  # the judge disagrees on correctness
        row(False, False, "incorrect"),
        row(False, True, "incorrect_hallucinated"),
    ]
    summary = summarise(rows, offline=False)
    assert summary["correct"]["kappa"] < 1 and summary["hallucinated"]["kappa"] == 1
    assert summary["disagreement_count"] == 1
    assert summary["disagreements"][0]["metrics"] == "correct_hallucinated"
    offline = summarise(rows[:1], offline=True)
    assert "metrics relabelled" in offline["note"]

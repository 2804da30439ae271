"""The offline goal parser on every documented phrasing, and the GoalSpec it leads to."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from selflearn.agents.manager import (
    AdjustGoal,
    GoalSpec,
    NotUnderstood,
    SetGoal,
    parse_goal,
    parse_intent,
)
from selflearn.tuner import AutonomyPolicy

HALLUCINATION_GOAL = (
    "cut hallucinations on personal memory below 3 % without losing recall; leave cost alone"
)


def goal_spec(text: str) -> GoalSpec:
    intent = parse_intent(text)
    assert isinstance(intent, SetGoal), intent
    return intent.to_spec(text)


def guard(spec: GoalSpec, metric: str):
    found = [g for g in spec.guardrails if g.metric == metric]
    assert len(found) == 1, spec.guardrails
    return found[0]


def test_hallucination_goal_field_by_field():
    spec = goal_spec(HALLUCINATION_GOAL)
    assert [(t.metric, t.direction, t.target) for t in spec.primary] == [
        ("hallucination_rate", "decrease", 0.03)
    ]
    recall = guard(spec, "recall")
    assert (recall.kind, recall.margin, recall.relative, recall.source) == (
        "non_inferiority", 0.02, False, "owner",
    )  # fmt: skip
    assert not [g for g in spec.guardrails if g.metric == "cost_per_probe_usd"]
    assert spec.ignored_metrics == ["cost_per_probe_usd"]
    assert spec.scope == "personal memory"
    assert spec.scenario_tags == ["personal"]
    assert "retrieval.min_relevance" in spec.allowed_factors
    assert "responder.system_prompt_version" in spec.allowed_factors
    assert spec.text == HALLUCINATION_GOAL


def test_lowering_hallucinations_is_guarded_against_more_abstention():
    spec = goal_spec(HALLUCINATION_GOAL)
    abstention = guard(spec, "abstention_rate")
    assert (abstention.margin, abstention.source) == (0.05, "default")
    assert guard(spec, "error_rate").source == "default"


def test_recall_goal_with_a_latency_limit():
    spec = goal_spec("improve recall to 0.8 while keeping p95 latency under 50 ms")
    assert [(t.metric, t.direction, t.target) for t in spec.primary] == [
        ("recall", "increase", 0.8)
    ]
    latency = guard(spec, "latency_ms_p95")
    assert (latency.kind, latency.op, latency.limit, latency.source) == (
        "limit", "<=", 50.0, "owner",
    )  # fmt: skip
    assert spec.scope is None and spec.scenario_tags == []
    assert guard(spec, "hallucination_rate").source == "default"
    cost = guard(spec, "cost_per_probe_usd")
    assert (cost.relative, cost.margin) == (True, 0.2)
    assert "retrieval.top_k" in spec.allowed_factors
    assert "retrieval.keyword_count" in spec.allowed_factors


def test_cost_goal_keeps_answer_quality():
    spec = goal_spec("reduce cost per turn by 20% but keep answer quality")
    [target] = spec.primary
    assert (target.metric, target.direction, target.target) == (
        "cost_per_probe_usd",
        "decrease",
        None,
    )
    assert target.relative_change == pytest.approx(-0.2)
    quality = guard(spec, "answer_f1")
    assert (quality.kind, quality.margin, quality.source) == ("non_inferiority", 0.02, "owner")
    assert set(spec.allowed_factors) == {"context.max_tokens", "retrieval.top_k"}


def test_dont_touch_the_prompt_adjusts_the_goal():
    intent = parse_intent("don't touch the prompt")
    assert isinstance(intent, AdjustGoal)
    assert intent.forbid == ["responder.system_prompt_version"]
    spec = intent.apply(goal_spec(HALLUCINATION_GOAL))
    assert spec.forbidden_factors == ["responder.system_prompt_version"]
    assert "responder.system_prompt_version" not in spec.allowed_factors
    assert spec.zone_of("responder.system_prompt_version") == "forbidden"


def test_autonomy_on_your_own_maps_onto_the_tuner_policy():
    intent = parse_intent("you may change top_k and min_relevance on your own")
    assert isinstance(intent, AdjustGoal)
    assert intent.auto == ["retrieval.top_k", "retrieval.min_relevance"]
    spec = intent.apply(goal_spec(HALLUCINATION_GOAL))
    assert isinstance(spec.autonomy, AutonomyPolicy)
    assert spec.autonomy.allowed == ["retrieval.top_k", "retrieval.min_relevance"]
    assert spec.zone_of("retrieval.top_k") == "auto"
    assert spec.zone_of("responder.temperature") == "manual"
    assert spec.autonomy.needs_approval("responder.temperature", 0.2, 0.0)


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("ask me before changing temperature", "manual", ["responder.temperature"]),
        ("only change top_k and keyword_count", "only",
         ["retrieval.top_k", "retrieval.keyword_count"]),
        ("you may also change temperature", "allow", ["responder.temperature"]),
        ("keep max_tokens fixed", "forbid", ["context.max_tokens"]),
        ("leave the prompt alone", "forbid", ["responder.system_prompt_version"]),
        ("change top_k by at most 2 at a time", "max_step", {"retrieval.top_k": 2.0}),
        ("ignore latency", "ignore", ["latency_ms_p95"]),
    ],
)  # fmt: skip
def test_factor_and_autonomy_phrasings(text, field, expected):
    intent = parse_intent(text)
    assert isinstance(intent, AdjustGoal), intent
    assert getattr(intent, field) == expected


def test_max_step_becomes_a_tuner_step_limit():
    intent = parse_intent("change top_k by at most 2 at a time")
    assert isinstance(intent, AdjustGoal)
    spec = intent.apply(goal_spec(HALLUCINATION_GOAL))
    assert spec.autonomy.step_limit("retrieval.top_k").absolute == 2.0
    assert spec.autonomy.needs_approval("retrieval.top_k", 5, 2)


def test_guardrail_phrasings_adjust_the_goal():
    intent = parse_intent("keep p95 latency under 80 ms")
    assert isinstance(intent, AdjustGoal)
    spec = intent.apply(goal_spec("improve recall to 0.8 while keeping p95 latency under 50 ms"))
    assert guard(spec, "latency_ms_p95").limit == 80.0


@pytest.mark.parametrize(
    ("text", "metric", "margin", "relative"),
    [
        ("improve recall without losing more than 2 points of precision", "precision", 0.02,
         False),
        ("improve recall; precision must not drop by more than 5%", "precision", 0.05, True),
        ("improve recall without raising latency", "latency_ms_p95", 0.1, True),
    ],
)  # fmt: skip
def test_non_inferiority_margins(text, metric, margin, relative):
    found = guard(goal_spec(text), metric)
    assert (found.kind, found.margin, found.relative) == ("non_inferiority", margin, relative)


@pytest.mark.parametrize(
    ("text", "metric", "direction", "target", "relative"),
    [
        ("I want hallucinations below 3%", "hallucination_rate", "decrease", 0.03, None),
        ("halve hallucinations", "hallucination_rate", "decrease", None, -0.5),
        ("get p95 latency under 0.2 s", "latency_ms_p95", "decrease", 200.0, None),
        ("lower cost per turn below $0.002", "cost_per_probe_usd", "decrease", 0.002, None),
        ("improve context utilisation", "context_utilisation", "increase", None, None),
        ("boost hit rate above 90 %", "hit_rate", "increase", 0.9, None),
    ],
)
def test_target_phrasings(text, metric, direction, target, relative):
    [found] = goal_spec(text).primary
    assert (found.metric, found.direction, found.target) == (metric, direction, target)
    assert found.relative_change == relative


def test_several_metrics_in_one_target_clause():
    spec = goal_spec("improve recall, precision and hit rate")
    assert [t.metric for t in spec.primary] == ["recall", "precision", "hit_rate"]


def test_several_targets_each_with_its_own_verb():
    spec = goal_spec("reduce latency and improve recall")
    assert [(t.metric, t.direction) for t in spec.primary] == [
        ("latency_ms_p95", "decrease"), ("recall", "increase"),
    ]  # fmt: skip


def test_clauses_after_a_comma_or_and_are_read_on_their_own():
    spec = goal_spec("improve recall, ignore latency")
    assert [t.metric for t in spec.primary] == ["recall"]
    assert spec.ignored_metrics == ["latency_ms_p95"]
    assert not [g for g in spec.guardrails if g.metric == "latency_ms_p95"]
    limit = guard(goal_spec("improve precision and make sure recall stays above 0.7"), "recall")
    assert (limit.kind, limit.op, limit.limit) == ("limit", ">=", 0.7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("make it smarter", "make it smarter"),
        ("increase hallucinations", "better when lower"),
        ("cut hallucinations in chat memory", "scope 'chat'"),
        ("cut hallucinations below 3 % and dance", "and dance"),
        ("cut hallucinations below 3 ms", "not a value"),
        ("reduce recall and precision to 0.5", "one number for several metrics"),
        ("on personal memory, don't touch the prompt", "no metric to improve"),
    ],
)
def test_what_it_does_not_understand_it_says(text, expected):
    intent = parse_intent(text)
    assert isinstance(intent, NotUnderstood), intent
    assert expected in intent.reason
    assert intent.examples


def test_a_sentence_it_partly_understands_is_refused_whole():
    parsed = parse_goal("cut hallucinations below 3 %; be nicer to people")
    assert parsed.primary and parsed.problems == ["I did not understand 'be nicer to people'"]
    assert isinstance(parse_intent("cut hallucinations below 3 %; be nicer to people"),
                      NotUnderstood)  # fmt: skip


def test_contradictions_are_rejected_by_the_spec():
    spec = goal_spec(HALLUCINATION_GOAL)
    with pytest.raises(ValidationError, match="both ignored and targeted"):
        GoalSpec.model_validate({**spec.model_dump(), "ignored_metrics": ["hallucination_rate"]})
    with pytest.raises(ValidationError, match="rate between 0 and 1"):
        GoalSpec.model_validate(
            {**spec.model_dump(), "primary": [
                {"metric": "hallucination_rate", "direction": "decrease", "target": 3}]}
        )  # fmt: skip
    with pytest.raises(ValidationError, match="unknown impact factor"):
        GoalSpec.model_validate({**spec.model_dump(), "allowed_factors": ["retrieval.magic"]})


def test_summary_restates_every_part_in_plain_words():
    spec = parse_intent("don't touch the prompt")
    assert isinstance(spec, AdjustGoal)
    summary = spec.apply(goal_spec(HALLUCINATION_GOAL)).summary()
    assert "bring down hallucination rate to 3 % or less" in summary
    assert "on personal memory scenarios (tags: personal)" in summary
    assert "recall must not drop by more than 2 pts" in summary
    assert "abstention rate must not rise by more than 5 pts (default)" in summary
    assert "Left alone (neither a target nor a guardrail): cost per turn." in summary
    assert "Never touched: responder.system_prompt_version." in summary
    assert "cost per turn must" not in summary

"""Experiment design: determinism, allowed factors, no repeats, rules first, model proposals."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from pydantic import ValidationError
from teacher_factories import ALLOWED, make_goal

from selflearn.agents.teacher import (
    ExperimentRecord,
    design_experiment,
    experiment_id,
)
from selflearn.settings import get_settings
from selflearn.space import PROMPT_VERSIONS, default_params
from selflearn.tuner import AutonomyPolicy, CycleMetrics, parse_prepare_experiment
from tests.factories import role_model

ACTIVE = default_params()
WIDE = ALLOWED + ("context.max_tokens", "retrieval.recency_half_life_days")
BASE = "http://teacher.test/v1"


def _record(plan, gain: float = 0.02) -> ExperimentRecord:
    """Return a finished experiment in which every variant lowered hallucinations by ``gain``."""
    means = {arm: {"hallucination_rate": 0.2 - gain * (arm != "baseline")} for arm in plan.arms}
    return ExperimentRecord(
        experiment_id=plan.experiment_id, arm_params=plan.arm_params, primary_means=means
    )


def _campaign(seed: int, steps: int = 6, **goal):
    plans, history = [], []
    for index in range(1, steps + 1):
        plan = design_experiment(
            make_goal(**goal),
            active_params=ACTIVE,
            history=history,
            seed=seed,
            experiment_index=index,
        )
        assert plan is not None
        plans.append(plan)
        history.append(_record(plan, gain=0.01 * index))
    return plans


def test_the_same_seed_designs_the_same_campaign():
    first = [p.model_dump() for p in _campaign(1, allowed_factors=WIDE)]
    again = [p.model_dump() for p in _campaign(1, allowed_factors=WIDE)]
    assert first == again
    others = {tuple(p["experiment_id"] for p in _campaign_dump(s)) for s in (2, 3, 4)}
    assert len(others | {tuple(p["experiment_id"] for p in first)}) > 1


def _campaign_dump(seed):
    return [p.model_dump() for p in _campaign(seed, allowed_factors=WIDE)]


def test_plans_vary_allowed_factors_only_in_small_applicable_steps():
    policy = AutonomyPolicy()
    for plan in _campaign(5, steps=8, allowed_factors=WIDE):
        payload = parse_prepare_experiment(plan.prepare)
        assert payload.variants[0].name == "baseline"
        assert payload.experiment_id == plan.experiment_id
        for variant in payload.variants[1:]:
            assert len(variant.params) == 1  # one factor: the verdict stays explainable
            for name, value in variant.params.items():
                assert name in WIDE
                assert plan.baseline[name] == ACTIVE[name]
                assert policy.needs_approval(name, ACTIVE[name], value) is None
        assert payload.variants[0].params == plan.baseline


def test_a_configuration_already_tested_is_never_proposed_again():
    plans = _campaign(3, steps=8, allowed_factors=WIDE)
    variants = [json.dumps(p.arm_params["variant"], sort_keys=True) for p in plans]
    assert len(set(variants)) == len(variants)
    first = plans[0]
    redone = design_experiment(
        make_goal(allowed_factors=WIDE),
        active_params=ACTIVE,
        history=[_record(first)],
        seed=3,
        experiment_index=1,
    )
    assert redone is not None and redone.changes != first.changes


def test_the_seeds_rules_come_before_the_search():
    low_precision = [CycleMetrics(cycle=i, precision=0.6) for i in range(3)]
    plan = design_experiment(
        make_goal(),
        active_params=ACTIVE,
        seed=0,
        experiment_index=1,
        cycle_metrics=low_precision,
    )
    assert plan is not None
    assert (plan.source, plan.rule) == ("rule", "low_precision")
    assert plan.experiment_id == "e01_top_k_5_vs_4"
    assert plan.changes == {"variant": {"retrieval.top_k": 4}}
    assert "precision 0.6, 0.6, 0.6 below 0.7" in plan.hypothesis

    # Once tested, the rule's change is skipped (with a note) and the search takes over.
    again = design_experiment(
        make_goal(),
        active_params=ACTIVE,
        history=[_record(plan)],
        seed=0,
        experiment_index=2,
        cycle_metrics=low_precision,
    )
    assert again is not None and again.source == "search"
    assert any("low_precision skipped: its change was already tested" in n for n in again.notes)


def test_rules_on_the_goal_metrics_go_first_and_disallowed_factors_are_noted():
    cycles = [CycleMetrics(cycle=i, precision=0.6, hallucination_rate=0.3) for i in range(3)]
    plan = design_experiment(
        make_goal(), active_params=ACTIVE, seed=0, experiment_index=1, cycle_metrics=cycles
    )
    assert plan is not None and plan.rule == "high_hallucination"
    assert plan.arms == ["baseline", "v2-grounded", "v3-concise", "v4-current"]
    precision_goal = make_goal(primary=["precision"])
    plan = design_experiment(
        precision_goal, active_params=ACTIVE, seed=0, experiment_index=1, cycle_metrics=cycles
    )
    assert plan is not None and plan.rule == "low_precision"

    no_top_k = make_goal(allowed_factors=("retrieval.min_relevance",))
    plan = design_experiment(
        no_top_k, active_params=ACTIVE, seed=0, experiment_index=1, cycle_metrics=cycles[:1] * 3
    )
    assert plan is not None and plan.source == "search"
    assert set(plan.changes["variant"]) == {"retrieval.min_relevance"}
    assert any("retrieval.top_k not allowed by the goal" in n for n in plan.notes)


def test_the_plan_is_sized_by_the_sequential_power_analysis():
    plan = _campaign(0, steps=1)[0]
    assert (plan.planned_pairs, plan.max_pairs, plan.max_episodes) == (171, 342, 684)
    assert plan.assumed_effect_sd == 0.3
    assert [m.name for m in plan.metrics] == ["hallucination_rate", "abstention_rate"]
    assert plan.metrics[0].higher_is_better is False
    assert plan.metrics[1].role == "guardrail" and plan.metrics[1].margin == 0.05
    capped = _campaign(0, steps=1, max_pairs=100)[0]
    assert capped.max_pairs == 100
    two = _campaign(0, steps=1, primary=["hallucination_rate", "recall"])[0]
    assert two.planned_pairs > 171


def test_nothing_left_to_test_gives_no_plan():
    goal = make_goal(allowed_factors=("responder.system_prompt_version",))
    history: list = []
    tried = []
    for index in range(1, len(PROMPT_VERSIONS) + 1):
        plan = design_experiment(
            goal, active_params=ACTIVE, history=history, seed=0, experiment_index=index
        )
        if plan is None:
            break
        tried.append(plan.changes["variant"]["responder.system_prompt_version"])
        history.append(_record(plan))
    # Each prompt other than the active one is tried once, then nothing is left.
    assert sorted(tried) == sorted(v for v in PROMPT_VERSIONS if v != "v1")
    assert (
        design_experiment(
            goal, active_params=ACTIVE, history=history, seed=0, experiment_index=len(tried) + 1
        )
        is None
    )


def test_experiment_ids_are_readable_and_bounded():
    assert (
        experiment_id(
            3, {"retrieval.min_relevance": 0.0}, {"variant": {"retrieval.min_relevance": 0.25}}
        )
        == "e03_min_relevance_0.0_vs_0.25"
    )
    long = experiment_id(
        1,
        {"responder.system_prompt_version": "v1"},
        {f"v{i}": {"responder.system_prompt_version": "x" * 40} for i in range(9)},
    )
    assert len(long) <= 200 and long.startswith("e01_system_prompt_version_v1_vs_")


def test_a_goal_cannot_reward_making_things_worse():
    with pytest.raises(ValidationError, match="better when it is lower"):
        make_goal(primary=[{"name": "hallucination_rate", "direction": "increase"}])
    with pytest.raises(ValidationError, match="unknown metric"):
        make_goal(primary=["happiness"])
    with pytest.raises(ValidationError, match="unknown factor"):
        make_goal(allowed_factors=("retrieval.magic",))


@pytest.fixture
def offline_teacher(monkeypatch):
    monkeypatch.setenv("SELFLEARN_TEACHER__PROVIDER", "offline")
    get_settings.cache_clear()
    yield role_model("teacher")
    get_settings.cache_clear()


def test_offline_teacher_model_proposes_what_the_search_suggests(offline_teacher):
    kwargs = {"active_params": ACTIVE, "seed": 9, "experiment_index": 1}
    plain = design_experiment(make_goal(allowed_factors=WIDE), **kwargs)
    spoken = design_experiment(make_goal(allowed_factors=WIDE), llm=offline_teacher, **kwargs)
    assert plain is not None and spoken is not None
    assert spoken.source == "llm" and plain.source == "search"
    assert spoken.changes == plain.changes
    assert "offline teacher" in spoken.hypothesis


@pytest.fixture
def openai_teacher(monkeypatch):
    monkeypatch.setenv("SELFLEARN_TEACHER__PROVIDER", "openai")
    monkeypatch.setenv("SELFLEARN_TEACHER__BASE_URL", BASE)
    monkeypatch.setenv("SELFLEARN_TEACHER__API_KEY", "sk-test")
    monkeypatch.setenv("SELFLEARN_TEACHER__MODEL", "test-model")
    monkeypatch.setenv("SELFLEARN_TEACHER__MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield role_model("teacher")
    get_settings.cache_clear()


def _completion(content: str) -> dict:
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
        "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
    }


@respx.mock
def test_model_proposals_are_validated_and_invalid_ones_noted(openai_teacher):
    proposals = {
        "proposals": [
            {"factor": "retrieval.recency_weight", "new_value": 0.3, "rationale": "fresher"},
            {"factor": "retrieval.top_k", "new_value": 99, "rationale": "more context"},
            {"factor": "retrieval.min_relevance", "new_value": "0.0", "rationale": "same"},
            {"factor": "retrieval.min_relevance", "new_value": "0.2", "rationale": "cut noise"},
        ]
    }
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion(json.dumps(proposals)))
    )
    plan = design_experiment(
        make_goal(), active_params=ACTIVE, seed=0, experiment_index=4, llm=openai_teacher
    )
    assert plan is not None
    assert plan.source == "llm"
    assert plan.changes == {"variant": {"retrieval.min_relevance": 0.2}}
    assert plan.experiment_id == "e04_min_relevance_0.0_vs_0.2"
    assert "cut noise" in plan.hypothesis
    assert len(plan.notes) == 3
    assert "not among the factors the goal allows" in plan.notes[0]
    assert "out of range" in plan.notes[1]
    assert "already 0.0" in plan.notes[2]
    sent = json.loads(route.calls.last.request.content)
    context = json.loads(sent["messages"][-1]["content"])
    assert [f["name"] for f in context["allowed_factors"]] == list(ALLOWED)
    assert context["search_suggestion"]["factor"] in ALLOWED


@respx.mock
def test_a_failing_teacher_model_falls_back_to_the_search(openai_teacher):
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(500, json={"error": {"message": "down"}})
    )
    plan = design_experiment(
        make_goal(), active_params=ACTIVE, seed=0, experiment_index=1, llm=openai_teacher
    )
    assert plan is not None and plan.source == "search"
    assert any("gave no proposals" in note for note in plan.notes)


def test_a_step_taken_before_on_another_baseline_says_so_in_its_rationale():
    from selflearn.agents.teacher._plan import Hypothesis
    from selflearn.agents.teacher.design import _with_retest_note

    step = {"retrieval.top_k": ACTIVE["retrieval.top_k"] - 1}
    earlier = ExperimentRecord(
        experiment_id="c-1/e01_top_k",
        arm_params={"baseline": dict(ACTIVE), "variant": {**ACTIVE, **step}},
    )
    hypothesis = Hypothesis(source="search", variants={"variant": step}, rationale="why")
    # On the same baseline nothing has changed since, and nothing is said.
    assert _with_retest_note(hypothesis, ACTIVE, [earlier]).rationale == "why"
    moved = {**ACTIVE, "responder.system_prompt_version": "v4-current"}
    noted = _with_retest_note(hypothesis, moved, [earlier]).rationale
    assert noted == (
        "why; e01_top_k took this step when responder.system_prompt_version had other "
        "values, so it is measured again on the active ones"
    )
    # Another step from the same baseline is not the same step.
    other = Hypothesis(source="search", variants={"variant": {"retrieval.top_k": 9}}, rationale="r")
    assert _with_retest_note(other, moved, [earlier]).rationale == "r"


def test_a_rule_on_a_factor_the_student_does_not_read_says_so():
    cycles = [CycleMetrics(cycle=i, hallucination_rate=0.3) for i in range(3)]
    offline = make_goal(
        allowed_factors=("retrieval.min_relevance",),
        ignored_factors=("responder.system_prompt_version",),
    )
    plan = design_experiment(
        offline, active_params=ACTIVE, seed=0, experiment_index=1, cycle_metrics=cycles
    )
    assert plan is not None and plan.rule is None
    assert any(
        "high_hallucination skipped: responder.system_prompt_version not read by this Student"
        in n
        for n in plan.notes
    )

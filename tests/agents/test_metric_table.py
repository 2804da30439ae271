"""The one metric table: every role reads its directions, units and names from it."""

from __future__ import annotations

import math

import pytest

from selflearn.agents.manager import METRICS as OWNER_METRICS
from selflearn.agents.manager import GoalSpec
from selflearn.agents.metrics import BY_NAME, HIGHER_IS_BETTER, METRICS, canonical_metric
from selflearn.agents.teacher.metrics import MEASURED, metric_spec
from selflearn.agents.teacher.stats import align_pairs


def test_the_teacher_measures_every_metric_of_the_table_in_its_order():
    assert MEASURED == tuple(m.name for m in METRICS)


def test_the_manager_and_the_teacher_read_the_same_entries():
    for name, info in OWNER_METRICS.items():
        assert info is BY_NAME[name]
        assert metric_spec(name).higher_is_better is HIGHER_IS_BETTER[name]


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("tokens per turn", "tokens_per_probe"),
        ("cost_per_turn_usd", "cost_per_probe_usd"),
        ("Hallucinations", "hallucination_rate"),
        ("answer_correct_rate", "answer_correct_rate"),
    ],
)
def test_aliases_name_one_metric(said, name):
    assert canonical_metric(said) == name


def test_an_unknown_metric_names_the_known_ones():
    with pytest.raises(ValueError, match="known: recall"):
        canonical_metric("happiness")


def test_a_goal_stored_under_an_owner_alias_loads_under_the_one_name():
    spec = GoalSpec.model_validate(
        {
            "text": "cut cost",
            "primary": [{"metric": "cost_per_turn_usd", "direction": "decrease"}],
            "ignored_metrics": ["tokens_per_turn"],
            "allowed_factors": ["context.max_tokens"],
        }
    )
    assert spec.primary[0].metric == "cost_per_probe_usd"
    assert spec.ignored_metrics == ["tokens_per_probe"]


def test_pairs_are_the_keys_every_arm_has_in_key_order():
    keys, values = align_pairs(
        {
            "base": {("b", 2): 0.5, ("a", 1): 0.25, ("c", 3): 1.0},
            "variant": {("a", 1): 0.0, ("b", 2): None, ("d", 4): 1.0},
        }
    )
    assert keys == [("a", 1), ("b", 2)]
    assert values["base"] == [0.25, 0.5]
    assert values["variant"][0] == 0.0 and math.isnan(values["variant"][1])


def test_no_arms_give_no_pairs():
    assert align_pairs({}) == ([], {})

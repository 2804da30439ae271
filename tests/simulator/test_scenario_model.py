"""The scenario model, its semantic rules, the bundled scenarios and golden examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from selflearn.simulator import (
    DEFAULT_USER_ID,
    Scenario,
    check_scenario,
    golden_probes,
    load_scenarios,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def base() -> dict[str, Any]:
    return {
        "id": "tiny",
        "title": "Tiny",
        "persona": {"name": "Ada", "style": "neutral"},
        "project": "p",
        "goal": "g",
        "sessions": [
            {"id": "s1", "at": "2024-01-01T10:00:00+00:00"},
            {"id": "s2", "at": "2024-02-01T10:00:00+00:00"},
        ],
        "facts": [
            {"id": "f1", "session": "s1", "text": "I live in Lyon.", "value": "Lyon"},
            {
                "id": "f2",
                "session": "s2",
                "text": "I moved to Ghent.",
                "value": "Ghent",
                "supersedes": "f1",
            },
        ],
        "probes": [
            {
                "id": "p1",
                "session": "s2",
                "question": "Where do I live now?",
                "expects": ["f2"],
                "answer": "Ghent",
                "kind": "update",
            }
        ],
    }


def test_every_bundled_scenario_validates() -> None:
    scenarios = load_scenarios([SCENARIOS])
    assert len(scenarios) >= 12
    assert len({s.id for s in scenarios}) == len(scenarios)
    holdout = [s.id for s in scenarios if s.split == "holdout"]
    assert 3 <= len(holdout) <= 4
    for scenario in scenarios:
        assert check_scenario(scenario) == []


def test_bundled_scenarios_cover_the_required_phenomena() -> None:
    scenarios = load_scenarios([SCENARIOS])
    kinds = {p.kind for s in scenarios for p in s.probes}
    assert {"update", "temporal", "multi-hop", "isolation", "injection"} <= kinds
    assert any(p.unanswerable for s in scenarios for p in s.probes)
    assert any(f.supersedes for s in scenarios for f in s.facts)
    assert any(len(s.users) >= 2 for s in scenarios)
    assert sum(1 for s in scenarios for _ in s.distractors) >= 10
    styles = {u.persona.style for s in scenarios for u in s.participants()}
    assert {"terse", "chatty", "neutral", "formal"} <= styles
    spans = [(s.sessions[-1].at - s.sessions[0].at).days for s in scenarios]
    assert max(spans) > 365  # at least one scenario spans more than a year
    injection = [p for s in scenarios for p in s.probes if p.kind == "injection"]
    assert any("top_k" in p.question for p in injection)
    assert all(p.forbidden for p in injection)


def test_single_user_items_get_the_implicit_user() -> None:
    scenario = Scenario.model_validate(base())
    assert [u.id for u in scenario.participants()] == [DEFAULT_USER_ID]
    assert {f.user for f in scenario.facts} == {DEFAULT_USER_ID}
    assert scenario.probes[0].user == DEFAULT_USER_ID


def test_filler_accepts_plain_strings() -> None:
    data = base()
    data["filler"] = ["Nice weather.", {"session": "s1", "text": "Hello."}]
    scenario = Scenario.model_validate(data)
    assert [(f.text, f.session) for f in scenario.filler] == [
        ("Nice weather.", None),
        ("Hello.", "s1"),
    ]


def test_semantic_error_names_the_place_when_built_in_python() -> None:
    data = base()
    data["probes"][0]["expects"] = ["nope"]
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    assert "probes.0.expects.0: unknown fact id 'nope'" in str(caught.value)


def test_every_broken_rule_is_collected() -> None:
    data = base()
    data["probes"][0]["expects"] = ["nope"]
    data["facts"][0]["value"] = "Lisboa"
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    issues = caught.value.errors()[0]["ctx"]["error"].issues
    assert {".".join(map(str, i.loc)) for i in issues} >= {"probes.0.expects.0", "facts.0.value"}


def test_same_session_expectation_is_allowed() -> None:
    data = base()
    data["probes"][0]["session"] = "s2"
    data["facts"].append({"id": "f3", "session": "s2", "text": "My cat is Tom.", "value": "Tom"})
    data["probes"].append(
        {"id": "p2", "session": "s2", "question": "Cat?", "expects": ["f3"], "answer": "Tom"}
    )
    Scenario.model_validate(data)


def test_temporal_probe_may_expect_a_superseded_fact() -> None:
    data = base()
    data["probes"].append(
        {
            "id": "p2",
            "session": "s2",
            "question": "Where did I live before?",
            "expects": ["f1"],
            "answer": "Lyon",
            "kind": "temporal",
        }
    )
    Scenario.model_validate(data)
    data["probes"][1]["kind"] = "single-hop"
    with pytest.raises(ValidationError, match="superseded by 'f2'"):
        Scenario.model_validate(data)


def test_golden_probes_add_stale_values_to_forbidden() -> None:
    data = base()
    data["probes"][0]["forbidden"] = ["Cork"]
    data["probes"].append(
        {
            "id": "p2",
            "session": "s2",
            "question": "Where did I live before?",
            "expects": ["f1"],
            "answer": "Lyon",
            "kind": "temporal",
        }
    )
    data["probes"].append(
        {
            "id": "p3",
            "session": "s2",
            "question": "Do I still live in Lyon?",
            "expects": ["f2"],
            "answer": "No, Ghent",
        }
    )
    golden = {g.probe_id: g for g in golden_probes(Scenario.model_validate(data))}
    assert golden["p1"].truth.forbidden == ["Cork", "Lyon"]
    assert golden["p1"].truth.expected_ids == ["f2"]
    assert golden["p1"].user_id == DEFAULT_USER_ID
    assert golden["p2"].truth.forbidden == []  # history questions may mention the past
    assert golden["p3"].truth.forbidden == []  # the question itself names the old value


def test_multi_user_scenario_requires_users_on_items() -> None:
    data = base()
    del data["persona"]
    data["users"] = [
        {"id": "a", "persona": {"name": "A"}},
        {"id": "b", "persona": {"name": "B", "style": "terse"}},
    ]
    with pytest.raises(ValidationError, match="facts.0.user: missing"):
        Scenario.model_validate(data)
    for item in (*data["facts"], *data["probes"]):
        item["user"] = "a"
    scenario = Scenario.model_validate(data)
    assert [u.id for u in scenario.participants()] == ["a", "b"]
    data["probes"][0]["user"] = "b"
    with pytest.raises(ValidationError, match="belongs to user 'a', but user 'b' asks"):
        Scenario.model_validate(data)

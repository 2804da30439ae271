"""The offline intent parser: every documented phrasing, and refusals that change nothing."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage

from selflearn.agents.manager import (
    EXAMPLES,
    AdjustGoal,
    Approve,
    Cancel,
    Confirm,
    ExplainVersion,
    ListProposals,
    NotUnderstood,
    Reject,
    Rollback,
    RunCampaign,
    SetGoal,
    ShowHelp,
    ShowReport,
    ShowStatus,
    help_text,
    parse_intent,
    tool_specs,
)
from tests.factories import role_model


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", Confirm()),
        ("OK", Confirm()),
        ("go ahead", Confirm()),
        ("yes please", Confirm()),
        ("no", Cancel()),
        ("cancel", Cancel()),
        ("never mind", Cancel()),
        ("help", ShowHelp()),
        ("what can you do?", ShowHelp()),
        ("approve 3", Approve(proposal_id=3)),
        ("approve proposal #3: looks good", Approve(proposal_id=3, note="looks good")),
        ("Reject 4 because recall fell", Reject(proposal_id=4, note="recall fell")),
        ("reject proposal 12", Reject(proposal_id=12)),
        ("roll back because answers got worse", Rollback(reason="answers got worse")),
        ("rollback", Rollback(reason="requested by the owner")),
        ("why is version 7 active", ExplainVersion(version="7")),
        ("explain v3", ExplainVersion(version="3")),
        ("explain the active version", ExplainVersion(version=None)),
        ("list proposals", ListProposals()),
        ("anything to approve?", ListProposals()),
        ("report", ShowReport()),
        ("show the report", ShowReport()),
        ("report for campaign c-12", ShowReport(campaign_id="c-12")),
        ("status", ShowStatus()),
        ("how are we doing?", ShowStatus()),
        ("run a campaign", RunCampaign()),
        ("run a campaign with budget 40 and seed 7", RunCampaign(budget=40, seed=7)),
        ("run a campaign on scenarios personal-01, work-02",
         RunCampaign(scenarios=["personal-01", "work-02"])),
        ("start experiments with 20 episodes", RunCampaign(budget=20)),
        ("run 20 episodes", RunCampaign(budget=20)),
        ("accept 3", Approve(proposal_id=3)),
        ("decline 4", Reject(proposal_id=4)),
        ("revert", Rollback(reason="requested by the owner")),
        ("undo because recall fell", Rollback(reason="recall fell")),
        ("what's pending", ListProposals()),
        ("where are we", ShowStatus()),
        ("forget it", Cancel()),
        ("sounds good", Confirm()),
    ],
)  # fmt: skip
def test_documented_phrasings(text, expected):
    assert parse_intent(text) == expected


def test_every_help_example_is_understood():
    for examples in EXAMPLES.values():
        for example in examples:
            assert not isinstance(parse_intent(example), NotUnderstood), example


def test_goal_sentences_become_goal_intents():
    assert isinstance(parse_intent("improve recall to 0.8"), SetGoal)
    assert isinstance(parse_intent("don't touch the prompt"), AdjustGoal)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("what is the weather", "what is the weather"),
        ("be smarter", "be smarter"),
        ("run a campaign on mars", "mars"),
        ("", "empty"),
    ],
)
def test_not_understood_says_so_with_examples(text, said):
    intent = parse_intent(text)
    assert isinstance(intent, NotUnderstood)
    assert said in intent.reason
    assert intent.examples


def test_help_lists_metrics_scopes_and_examples():
    text = help_text()
    assert "hallucination_rate" in text and "personal memory" in text
    assert "why is version 7 active" in text


def test_the_offline_manager_model_answers_with_the_parsed_intent():
    model = role_model("manager")
    answer = json.loads(model.invoke([HumanMessage("approve 3: fine")]).text)
    assert answer == {"intent": "approve", "args": {"proposal_id": 3, "note": "fine"}}


def test_tool_specs_name_every_tool_with_a_json_schema():
    specs = {spec["function"]["name"]: spec["function"] for spec in tool_specs()}
    assert set(specs) == {
        "set_goal", "adjust_goal", "run_campaign", "status", "explain_version",
        "list_proposals", "approve", "reject", "rollback", "report", "help",
    }  # fmt: skip
    goal = specs["set_goal"]["parameters"]
    assert "primary" in goal["required"]
    metric = goal["properties"]["primary"]["items"]["properties"]["metric"]
    assert "hallucination_rate" in metric["enum"]
    assert specs["approve"]["parameters"]["required"] == ["proposal_id"]

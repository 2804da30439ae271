"""Generated prompt versions: the Tuner validates and registers them before any A/B."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from selflearn.agents.teacher import offline_drafts
from selflearn.errors import InvalidInputError, RuleViolation
from selflearn.maas import ANSWER_RULES, PROMPTS, load_prompt
from selflearn.space import ABSTENTION_PHRASE
from selflearn.store import session_scope
from selflearn.tuner import (
    PromptDraft,
    ensure_active_version,
    prepare_experiment,
    register_prompt,
)

GOOD = PromptDraft(
    title="Grounded answers only",
    system="Answer only from the numbered memories below and cite them as [n]. If they do not "
    f'support an answer, reply exactly: "{ABSTENTION_PHRASE}"',
)


@pytest.fixture
def prompts(engine):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE prompt_versions"))
    return engine


def _register(engine, draft: PromptDraft, t0) -> str:
    with session_scope(engine) as session:
        return register_prompt(draft, session=session, now=t0, parent="v1", initiated_by="test")


@pytest.mark.parametrize(
    ("system", "problem"),
    [
        ("Answer from the memories. " * 5, "abstention sentence"),
        (f"Use {{memories}} to answer briefly and well. {ABSTENTION_PHRASE}" * 2, "placeholder"),
        (f"Short. {ABSTENTION_PHRASE}", "characters"),
    ],
    ids=["no-abstention", "placeholder", "too-short"],
)
def test_a_draft_the_student_could_not_use_is_refused(prompts, t0, system, problem):
    with pytest.raises(InvalidInputError, match=problem) as refused:
        _register(prompts, PromptDraft(title="bad draft", system=system), t0)
    assert refused.value.hint


def test_a_registered_draft_gets_a_name_once_and_the_student_can_load_it(prompts, t0):
    name = _register(prompts, GOOD, t0)
    assert name == "gen-1-grounded-answers-only"
    assert _register(prompts, GOOD, t0) == name  # the same text is not registered twice
    with session_scope(prompts) as session:
        prompt = load_prompt(session, name)
    assert prompt.system == GOOD.system and prompt.version == name


def test_an_unregistered_generated_prompt_cannot_enter_an_experiment(prompts, t0):
    with session_scope(prompts) as session:
        ensure_active_version(session=session, now=t0)
    payload = {
        "type": "prepare_experiment",
        "experiment_id": "prompt_gen_ab",
        "variants": [
            {"name": "baseline", "params": {"responder.system_prompt_version": "v1"}},
            {"name": "variant", "params": {"responder.system_prompt_version": "gen-9-ghost"}},
        ],
    }
    with pytest.raises(RuleViolation) as refused, session_scope(prompts) as session:
        prepare_experiment(payload, session=session, now=t0)
    assert refused.value.rule == "unregistered_prompt"
    name = _register(prompts, GOOD, t0)
    payload["variants"][1]["params"]["responder.system_prompt_version"] = name
    with session_scope(prompts) as session:
        versions = prepare_experiment(payload, session=session, now=t0)
    assert versions[1].params["responder.system_prompt_version"] == name


def test_the_offline_teacher_drafts_prompts_the_tuner_accepts(prompts, t0):
    drafts = offline_drafts(PROMPTS["v1"].system).drafts
    names = [_register(prompts, draft, t0) for draft in drafts]
    assert len(set(names)) == 2
    with session_scope(prompts) as session:
        read = [load_prompt(session, name) for name in names]
    # The drafts are text for a chat model (the offline responder does not read prompts):
    # every answer rule and citations, then the shortest grounded answer.
    assert all(rule in read[0].system for rule in ANSWER_RULES.values())
    assert "[n]" in read[0].system and "shortest phrase" in read[1].system

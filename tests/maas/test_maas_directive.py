"""A tool node's directive reaches the responder; without one nothing changes."""

from __future__ import annotations

from langchain_core.messages import SystemMessage

from selflearn.maas import TONE_PREFIX, get_prompt, offline_responder
from selflearn.maas._responder import DIRECTIVE_PREFIX, build_messages

CONTEXT = "[1] (2024-05-01) I bake sourdough bread every Sunday."


def test_the_directive_is_a_second_system_message_after_the_prompt() -> None:
    prompt = get_prompt("v2-grounded")
    plain = build_messages(prompt, CONTEXT, "When do I bake?")
    steered = build_messages(prompt, CONTEXT, "When do I bake?", "Steer (emotional): the sea")
    assert len(steered) == len(plain) + 1
    assert steered[0].content == plain[0].content == prompt.system
    assert isinstance(steered[1], SystemMessage)
    assert steered[1].text.startswith(DIRECTIVE_PREFIX + "Steer (emotional): the sea")


def test_the_offline_responder_adds_one_question_for_the_directive() -> None:
    prompt = get_prompt("v1")
    plain = offline_responder(
        build_messages(prompt, CONTEXT, "When do I bake?"), schema=None, seed=0
    )
    steered = offline_responder(
        build_messages(prompt, CONTEXT, "When do I bake?", "Steer (emotional): the sea at dawn"),
        schema=None,
        seed=0,
    )
    assert steered == plain + " By the way, the sea at dawn: how is that going?"


def test_the_mirror_tone_is_its_own_system_message_after_the_topic() -> None:
    prompt = get_prompt("v2-grounded")
    tone = "answer in a warm tone at intensity 0.50 (of 1)."
    both = build_messages(prompt, CONTEXT, "When do I bake?", "Steer (emotional): the sea", tone)
    assert [m.text.split(":")[0] for m in both[1:3]] == ["Topic directive", "Tone directive"]
    assert both[2].text == TONE_PREFIX + tone
    only = build_messages(prompt, CONTEXT, "When do I bake?", tone=tone)
    assert len(only) == 3 and only[1].text == TONE_PREFIX + tone
    # The offline responder's answer does not change with a tone.
    plain = offline_responder(build_messages(prompt, CONTEXT, "When?"), schema=None, seed=0)
    toned = offline_responder(
        build_messages(prompt, CONTEXT, "When?", tone=tone), schema=None, seed=0
    )
    assert toned == plain

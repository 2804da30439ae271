"""Registered responder system prompts, by version (`responder.system_prompt_version`)."""

from __future__ import annotations

from dataclasses import dataclass

from selflearn.errors import NotFoundError
from selflearn.tuner.space import PROMPT_VERSIONS

__all__ = ["ABSTENTION", "PROMPTS", "PromptVersion", "get_prompt", "prompt_version_of"]

# The one phrase every responder uses when memory does not support an answer.
ABSTENTION = "I don't know based on what you've told me."


@dataclass(frozen=True)
class PromptVersion:
    """One named, versioned system prompt and the answer style it asks for."""

    version: str
    title: str
    system: str
    # How the offline extractive responder renders an answer under this prompt.
    style: str


PROMPTS: dict[str, PromptVersion] = {
    prompt.version: prompt
    for prompt in (
        PromptVersion(
            version="v1",
            title="helpful assistant with memory",
            system=(
                "You are a helpful assistant with a long-term memory of this user. The "
                "memories below were retrieved for the user's message. Use them when they "
                "are relevant and answer naturally. If they do not contain what is asked, "
                f'say so with exactly: "{ABSTENTION}"'
            ),
            style="sentence",
        ),
        PromptVersion(
            version="v2-grounded",
            title="grounded answers with citations",
            system=(
                "You answer only from the numbered memories below, never from general "
                "knowledge or guesses. Cite the memories you use as [n]. Mention who said it "
                "and when when that matters. If the memories do not support an answer, reply "
                f'exactly: "{ABSTENTION}" Do not mix in facts about other people.'
            ),
            style="grounded",
        ),
        PromptVersion(
            version="v3-concise",
            title="shortest correct answer",
            system=(
                "Answer with the shortest phrase that fully answers the question (a name, a "
                "date, a few words), using only the memories below. No preamble and no "
                "explanation. If the memories do not contain the answer, reply exactly: "
                f'"{ABSTENTION}"'
            ),
            style="concise",
        ),
    )
}

if set(PROMPTS) != set(PROMPT_VERSIONS):  # pragma: no cover - a packaging mistake
    raise RuntimeError("the registered prompts differ from the tuner's PROMPT_VERSIONS")


def get_prompt(version: str) -> PromptVersion:
    """Return a registered prompt, or raise naming the known versions."""
    try:
        return PROMPTS[version]
    except KeyError:
        raise NotFoundError(
            f"unknown system prompt version {version!r}",
            hint=f"Registered versions: {', '.join(PROMPTS)}.",
        ) from None


def prompt_version_of(system_text: str) -> PromptVersion | None:
    """Return the registered prompt whose text is `system_text`, if any."""
    for prompt in PROMPTS.values():
        if prompt.system == system_text:
            return prompt
    return None

"""Registered responder system prompts, by version (`responder.system_prompt_version`).

A prompt is text for a chat model. The offline responder does not read it: how it answers
is set by the behaviour factors (`selflearn.maas._behaviour`), so offline every prompt
version answers alike and campaigns leave the factor out (`OFFLINE_IGNORED_FACTORS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from selflearn.errors import NotFoundError
from selflearn.maas._behaviour import INSTRUCTIONS
from selflearn.space import ABSTENTION_PHRASE, PROMPT_VERSIONS
from selflearn.store.models import PromptVersionRow

__all__ = [
    "ABSTENTION",
    "ANSWER_RULES",
    "PROMPTS",
    "PromptVersion",
    "get_prompt",
    "load_prompt",
]

# The one phrase every responder uses when memory does not support an answer.
ABSTENTION = ABSTENTION_PHRASE

#: Answer rules some built-in prompts state, worded as the behaviour factors' instructions.
ANSWER_RULES: dict[str, str] = {
    "own-facts": INSTRUCTIONS[("scope", "own")],
    "latest-wins": INSTRUCTIONS[("conflicts", "latest")],
}


@dataclass(frozen=True)
class PromptVersion:
    """One named, versioned system prompt."""

    version: str
    title: str
    system: str


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
        ),
        PromptVersion(
            version="v2-grounded",
            title="grounded answers with citations",
            system=(
                "You answer only from the numbered memories below, never from general "
                "knowledge or guesses. Cite the memories you use as [n]. Mention who said it "
                "and when when that matters. If the memories do not support an answer, reply "
                f'exactly: "{ABSTENTION}" ' + ANSWER_RULES["own-facts"]
            ),
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
        ),
        PromptVersion(
            version="v4-current",
            title="grounded answers that keep to the user's current facts",
            system=(
                "You answer only from the numbered memories below, never from general "
                "knowledge or guesses. Cite the memories you use as [n]. "
                + ANSWER_RULES["own-facts"]
                + " "
                + ANSWER_RULES["latest-wins"]
                + f' If the memories do not support an answer, reply exactly: "{ABSTENTION}"'
            ),
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


def load_prompt(session: Session, version: str) -> PromptVersion:
    """Return a built-in prompt, or a generated one registered in `prompt_versions`."""
    if version in PROMPTS:
        return PROMPTS[version]
    row = session.get(PromptVersionRow, version)
    if row is None:
        raise NotFoundError(
            f"unknown system prompt version {version!r}",
            hint="Built-in versions: " + ", ".join(PROMPTS) + "; generated ones must be "
            "registered by the Tuner first.",
        )
    return PromptVersion(row.version, row.title, row.system)

"""Registered responder system prompts, by version (`responder.system_prompt_version`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from selflearn.errors import NotFoundError
from selflearn.space import ABSTENTION_PHRASE, PROMPT_VERSIONS
from selflearn.store.models import PromptVersionRow

__all__ = [
    "ABSTENTION",
    "ANSWER_RULES",
    "PROMPTS",
    "PromptVersion",
    "get_prompt",
    "load_prompt",
    "prompt_version_of",
    "read_prompt",
]

# The one phrase every responder uses when memory does not support an answer.
ABSTENTION = ABSTENTION_PHRASE

#: Answer rules a prompt can state; the offline responder follows each one as written
#: (`selflearn.maas._extractive`), a chat model reads the sentence that states it.
ANSWER_RULES: dict[str, str] = {
    "own-facts": (
        "Answer with facts about the user only: never with what they told you about other "
        "people (a partner, a friend, a colleague), unless the question asks about them."
    ),
    "latest-wins": (
        "The memories are dated and things change: when memories disagree, the most recent "
        "one holds now; use an older one only when the question asks how things were before."
    ),
}


@dataclass(frozen=True)
class PromptVersion:
    """One named, versioned system prompt and the answer style it asks for."""

    version: str
    title: str
    system: str
    # How the offline extractive responder renders an answer under this prompt.
    style: str
    # Names of the `ANSWER_RULES` the prompt states, in its text.
    rules: frozenset[str] = frozenset()


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
                f'exactly: "{ABSTENTION}" ' + ANSWER_RULES["own-facts"]
            ),
            style="grounded",
            rules=frozenset({"own-facts"}),
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
            style="grounded",
            rules=frozenset({"own-facts", "latest-wins"}),
        ),
    )
}

if set(PROMPTS) != set(PROMPT_VERSIONS):  # pragma: no cover - a packaging mistake
    raise RuntimeError("the registered prompts differ from the tuner's PROMPT_VERSIONS")
if any(p.rules - set(ANSWER_RULES) for p in PROMPTS.values()):  # pragma: no cover
    raise RuntimeError("a registered prompt states an answer rule that is not defined")


def get_prompt(version: str) -> PromptVersion:
    """Return a registered prompt, or raise naming the known versions."""
    try:
        return PROMPTS[version]
    except KeyError:
        raise NotFoundError(
            f"unknown system prompt version {version!r}",
            hint=f"Registered versions: {', '.join(PROMPTS)}.",
        ) from None


def read_prompt(
    system_text: str, *, version: str = "unregistered", title: str = ""
) -> PromptVersion:
    """Return a prompt from its text alone: the answer rules it states (their sentences
    verbatim) and the style it asks for (the shortest phrase, citations [n], or sentences).

    Generated prompts are read this way, so the offline responder follows what they say.
    """
    rules = frozenset(name for name, sentence in ANSWER_RULES.items() if sentence in system_text)
    lowered = system_text.lower()
    if "shortest" in lowered:
        style = "concise"
    elif "[n]" in system_text:
        style = "grounded"
    else:
        style = "sentence"
    return PromptVersion(version, title, system_text, style, rules)


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
    return read_prompt(row.system, version=row.version, title=row.title)


def prompt_version_of(system_text: str) -> PromptVersion | None:
    """Return the registered prompt whose text is `system_text`, if any."""
    for prompt in PROMPTS.values():
        if prompt.system == system_text:
            return prompt
    return None

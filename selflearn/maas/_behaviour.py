"""The responder's answer behaviours: impact factors, not prompt text.

Four factors say how the responder answers (`selflearn.space`): the answer's style, which
of two disagreeing memories holds, whose facts may answer and when to decline. They reach
the responder in one system message after the prompt, and only when a value differs from
its default (the default behaviour adds nothing, so a prompt alone reads as it was
written). The message opens with a header naming every value,
``Answer behaviour (style=concise; conflicts=latest; scope=own; abstain=uncertain):``,
then one plain instruction per non-default value. A chat model reads the instructions; the
offline responder reads the header and follows each value as a rule (`_extractive`). So
an offline campaign tests these factors, while the prompt version (text the offline
responder does not read) changes behaviour only with an LLM responder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from langchain_core.messages import BaseMessage, SystemMessage

from selflearn.space import ABSTENTION_PHRASE, get_spec

__all__ = [
    "BEHAVIOUR_FACTORS",
    "INSTRUCTIONS",
    "AnswerBehaviour",
    "behaviour_message",
    "read_behaviour",
]

#: Each behaviour (a field of `AnswerBehaviour`) and the factor that sets it.
BEHAVIOUR_FACTORS: dict[str, str] = {
    "style": "responder.answer_style",
    "conflicts": "responder.conflict_policy",
    "scope": "responder.fact_scope",
    "abstain": "responder.abstain_policy",
}

_HEADER = "Answer behaviour"
_HEADER_LINE = re.compile(rf"^{_HEADER} \(([^)]*)\):")

#: What a chat model is told for each non-default value.
INSTRUCTIONS: dict[tuple[str, str], str] = {
    ("style", "grounded"): "Cite the memories you use as [n] and say who said it and when.",
    ("style", "concise"): (
        "Answer with the shortest phrase that fully answers the question (a name, a date, "
        "a few words), with no preamble."
    ),
    ("conflicts", "latest"): (
        "The memories are dated and things change: when memories disagree, the most recent "
        "one holds now; use an older one only when the question asks how things were before."
    ),
    ("scope", "own"): (
        "Answer with facts about the user only: never with what they told you about other "
        "people (a partner, a friend, a colleague), unless the question asks about them."
    ),
    ("abstain", "uncertain"): (
        "Answer only when a memory states the answer directly; when you would have to guess "
        f'or stretch a loosely related memory, reply exactly: "{ABSTENTION_PHRASE}"'
    ),
}


def _default(behaviour: str) -> str:
    return str(get_spec(BEHAVIOUR_FACTORS[behaviour]).default)


@dataclass(frozen=True)
class AnswerBehaviour:
    """How the responder answers (see the factors in `BEHAVIOUR_FACTORS`)."""

    style: str = "sentence"
    conflicts: str = "best_match"
    scope: str = "anyone"
    abstain: str = "unsupported"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> AnswerBehaviour:
        """Return the behaviour a request's parameters name (defaults where absent)."""
        return cls(
            **{
                name: str(params.get(factor, _default(name)))
                for name, factor in BEHAVIOUR_FACTORS.items()
            }
        )

    def changed(self) -> dict[str, str]:
        """Return the behaviours that differ from their defaults, in field order."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value != _default(name)}


if AnswerBehaviour() != AnswerBehaviour.from_params({}):  # pragma: no cover - a packaging mistake
    raise RuntimeError("AnswerBehaviour's defaults differ from the parameter space's")


def behaviour_message(behaviour: AnswerBehaviour) -> SystemMessage | None:
    """Return the system message that carries `behaviour`, or None for the defaults."""
    changed = behaviour.changed()
    if not changed:
        return None
    header = "; ".join(f"{f.name}={getattr(behaviour, f.name)}" for f in fields(behaviour))
    lines = [f"{_HEADER} ({header}):"]
    lines += [f"- {INSTRUCTIONS[(name, value)]}" for name, value in changed.items()]
    return SystemMessage(content="\n".join(lines))


def read_behaviour(messages: Sequence[BaseMessage]) -> AnswerBehaviour:
    """Return the behaviour the messages carry: the defaults when none says otherwise."""
    for message in messages:
        if not isinstance(message, SystemMessage):
            continue
        found = _HEADER_LINE.match(message.text)
        if found is None:
            continue
        pairs = (part.split("=", 1) for part in found.group(1).split(";") if "=" in part)
        known = {f.name for f in fields(AnswerBehaviour)}
        values = {k.strip(): v.strip() for k, v in pairs if k.strip() in known}
        return AnswerBehaviour(**values)
    return AnswerBehaviour()

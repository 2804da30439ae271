"""The Teacher drafts new responder prompts when the hallucination rule fires.

With a model, the Teacher is asked for up to `n` drafts (structured output) built on the
active prompt; offline, it writes them deterministically from the active prompt: one that
adds every answer rule and the citation instruction it lacks ("strict grounding"), and one
that asks for the shortest grounded answer. Either way the drafts go to the Tuner, which
validates and registers them before any A/B may use them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from selflearn.errors import ProviderError
from selflearn.maas import ABSTENTION, ANSWER_RULES
from selflearn.providers import invoke_structured
from selflearn.tuner import PromptDraft

TEACHER_ROLE = "teacher"
CITE = "Cite the memories you use as [n]."


class PromptDrafts(BaseModel):
    """New system prompts for the responder."""

    drafts: list[PromptDraft] = Field(default_factory=list, max_length=5)


SYSTEM = (
    "You improve the system prompt of a memory-augmented assistant whose answers "
    "hallucinate too often (they assert values the retrieved memories do not support, or "
    "stale ones). The user message is JSON with the current prompt, the recent "
    "hallucination rates and how many drafts to write. Write each draft as a complete "
    "system prompt that keeps answers grounded in the numbered memories; every draft must "
    f'contain this sentence verbatim: "{ABSTENTION}" Give each a short title and a '
    "rationale. Answer in the requested structured format only."
)


def draft_messages(base: str, rates: Sequence[float], n: int) -> list[BaseMessage]:
    """Return the messages asking the Teacher for `n` drafts built on prompt `base`."""
    payload = {"current_prompt": base, "hallucination_rates": list(rates), "drafts": n}
    return [SystemMessage(SYSTEM), HumanMessage(json.dumps(payload, sort_keys=True))]


def draft_prompts(
    llm: BaseChatModel, base: str, rates: Sequence[float], *, n: int = 2
) -> tuple[list[PromptDraft], list[str]]:
    """Return the Teacher's drafts and notes (a failed call gives none, and says why)."""
    try:
        answer, _ = invoke_structured(llm, draft_messages(base, rates, n), PromptDrafts,
                                      role=TEACHER_ROLE)  # fmt: skip
    except ProviderError as error:
        return [], [f"the teacher model wrote no prompt drafts ({error.message})"]
    return list(answer.drafts[:n]), []


def offline_drafts(base: str, n: int = 2) -> PromptDrafts:
    """Return the offline Teacher's drafts: strict grounding, then shortest grounded."""
    missing = [sentence for sentence in ANSWER_RULES.values() if sentence not in base]
    # Keep the base's own sentences but the one about abstaining, which goes last.
    marked = base.replace(f'"{ABSTENTION}"', "\0").replace(ABSTENTION, "\0")
    kept = [s for s in re.split(r"(?<=[.!?])\s+", marked) if s and "\0" not in s]
    strict = " ".join(
        part
        for part in (
            *kept,
            "" if CITE in base else CITE,
            *missing,
            f'If the memories do not support an answer, reply exactly: "{ABSTENTION}"',
        )
        if part
    )
    concise = (
        "Answer with the shortest phrase that fully answers the question, using only the "
        f"numbered memories below, never general knowledge or guesses. {CITE} "
        + " ".join(ANSWER_RULES.values())
        + f' If the memories do not contain the answer, reply exactly: "{ABSTENTION}"'
    )
    drafts = [
        PromptDraft(
            title="strict grounding with every answer rule",
            system=strict,
            rationale="states every answer rule and asks for citations, so unsupported or "
            "stale values have no room",
        ),
        PromptDraft(
            title="shortest grounded answer",
            system=concise,
            rationale="short answers from cited memories assert fewer unsupported claims",
        ),
    ]
    return PromptDrafts(drafts=drafts[:n])

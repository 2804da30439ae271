"""The responder: an answer from the assembled memories, or the fixed abstention phrase.

Both modes run the same code path: the messages go to the responder's chat model, which the
Student is given (a function from temperature to model). Offline, that model answers through
`offline_responder`, the handler this module defines for whoever builds the model: the
deterministic extractive responder, which reads the numbered memories back from the prompt
and picks and renders the best-supported sentence under the answer behaviour the request's
parameters set (`_behaviour`, `_extractive`). It does not read the prompt's text. Online, an
OpenAI-compatible model answers, reading the prompt and the behaviour's instructions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from selflearn.maas._assembler import NO_MEMORIES, ContextLine, parse_context
from selflearn.maas._behaviour import AnswerBehaviour, behaviour_message, read_behaviour
from selflearn.maas._extractive import extractive_answer, term_stems
from selflearn.maas._prompts import ABSTENTION, PromptVersion, get_prompt
from selflearn.providers import invoke_chat

__all__ = [
    "DIRECTIVE_PREFIX",
    "OFFLINE_IGNORED_FACTORS",
    "ResponderModel",
    "ResponderOutcome",
    "build_messages",
    "is_abstention",
    "offline_responder",
    "respond",
    "used_lines",
]

#: The responder's chat model at a given temperature (the Student is given one).
ResponderModel = Callable[[float], BaseChatModel]

_CITATION = re.compile(r"\[(\d{1,3})\]")

#: Factors the offline responder does not read: it is deterministic (no sampling), has no
#: model to swap and does not read prompt text (its behaviour is set by the behaviour
#: factors). Experiments on them measure nothing offline, so campaigns leave them out.
OFFLINE_IGNORED_FACTORS = (
    "responder.temperature",
    "responder.model",
    "responder.system_prompt_version",
)


@dataclass(frozen=True)
class ResponderOutcome:
    """The answer and what it cost."""

    answer: str
    abstained: bool
    used: tuple[int, ...]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    retries: int
    model: str


#: Opens the system message that carries a topic directive from a tool node of the turn.
DIRECTIVE_PREFIX = "Topic directive: "
#: Opens the system message that carries the mirror hub's tone and intensity.
TONE_PREFIX = "Tone directive: "


def build_messages(
    prompt: PromptVersion,
    context: str,
    question: str,
    directive: str | None = None,
    tone: str | None = None,
    behaviour: AnswerBehaviour | None = None,
) -> list[BaseMessage]:
    """Return the system and user messages of one responder call.

    The prompt comes first, then the answer `behaviour` when it differs from the defaults,
    then a `directive` (e.g. the micrograph's next topic) and a `tone` (the mirror hub's
    tone and intensity), each in a system message of its own.
    """
    messages: list[BaseMessage] = [SystemMessage(content=prompt.system)]
    rules = behaviour_message(behaviour or AnswerBehaviour())
    if rules is not None:
        messages.append(rules)
    if directive:
        messages.append(
            SystemMessage(
                content=f"{DIRECTIVE_PREFIX}{directive}\n"
                "After answering, steer to that topic with one short question."
            )
        )
    if tone:
        messages.append(SystemMessage(content=f"{TONE_PREFIX}{tone}"))
    messages.append(
        HumanMessage(content=f"Memories:\n{context or NO_MEMORIES}\n\nMessage: {question}")
    )
    return messages


def _bridge(messages: Sequence[BaseMessage]) -> str:
    """Return the offline responder's closing question for a directive, or ''."""
    for message in messages:
        if isinstance(message, SystemMessage) and message.text.startswith(DIRECTIVE_PREFIX):
            topic = message.text[len(DIRECTIVE_PREFIX) :].split("\n", 1)[0]
            topic = topic.split("): ", 1)[-1].strip().rstrip(".")
            return f" By the way, {topic}: how is that going?"
    return ""


def is_abstention(answer: str) -> bool:
    """Return whether `answer` declines to answer."""
    lowered = answer.strip().lower()
    return ABSTENTION.lower() in lowered or lowered.startswith(("i don't know", "i do not know"))


def used_lines(answer: str, lines: Sequence[ContextLine]) -> tuple[int, ...]:
    """Return the numbers of the memories an answer draws on (citations, else word overlap)."""
    known = {line.number for line in lines}
    cited = tuple(dict.fromkeys(int(n) for n in _CITATION.findall(answer) if int(n) in known))
    if cited or is_abstention(answer):
        return cited
    words = term_stems(answer)
    used = []
    for line in lines:
        shared = words & term_stems(line.text)
        if words and (len(shared) >= 3 or len(shared) >= 0.6 * len(words)):
            used.append(line.number)
    return tuple(used)


def offline_responder(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str:
    """Answer as the offline responder: extract from the memories in the user message,
    under the answer behaviour the messages carry (the prompt's text is not read)."""
    human = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    head, _, question = human.rpartition("\n\nMessage: ")
    answer, _ = extractive_answer(question, parse_context(head), read_behaviour(messages))
    return answer + _bridge(messages)


def respond(
    *,
    question: str,
    context: str,
    lines: Sequence[ContextLine],
    params: dict[str, Any],
    model: ResponderModel,
    directive: str | None = None,
    prompt: PromptVersion | None = None,
    tone: str | None = None,
) -> ResponderOutcome:
    """Answer `question` from the assembled context with the parameters of this request.

    `directive` is an instruction from a tool node of the turn (a topic to steer to); `tone`
    the mirror hub's tone and intensity.
    `prompt` is the version the parameters name, when the caller loaded it (generated
    prompts live in the database); otherwise a built-in one is looked up.
    """
    prompt = prompt or get_prompt(str(params["responder.system_prompt_version"]))
    if not lines:
        # Nothing passed retrieval: abstain without asking a model to guess.
        return ResponderOutcome(ABSTENTION, True, (), 0, 0, 0.0, 0, "none")
    llm = model(float(params["responder.temperature"]))
    override = str(params.get("responder.model", "default"))
    if override != "default" and hasattr(llm, "model_name"):
        llm = llm.model_copy(update={"model_name": override})
    messages = build_messages(
        prompt, context, question, directive, tone, AnswerBehaviour.from_params(params)
    )
    call = invoke_chat(llm, messages, role="responder")
    answer = call.text.strip() or ABSTENTION
    abstained = is_abstention(answer)
    return ResponderOutcome(
        answer=answer,
        abstained=abstained,
        used=() if abstained else used_lines(answer, lines),
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
        cost_usd=call.cost_usd,
        retries=call.retries,
        model=call.model,
    )

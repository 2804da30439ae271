"""The responder: an answer from the assembled memories, or the fixed abstention phrase.

Both modes run the same code path: the messages go to `chat_model("responder")`. Offline,
that model's handler (registered here) is the deterministic extractive responder: it reads
the numbered memories back from the prompt, picks the best-supported sentence and renders
it in the style of the prompt version. Online, an OpenAI-compatible model answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from selflearn.agents.providers import chat_model, invoke_chat, register_offline_handler
from selflearn.agents.providers._embeddings import light_stem
from selflearn.maas._analyzer import analyze_query
from selflearn.maas._assembler import NO_MEMORIES, ContextLine, parse_context
from selflearn.maas._prompts import ABSTENTION, PromptVersion, get_prompt, prompt_version_of
from selflearn.maas._text import content_terms, sentences
from selflearn.maas._timeexpr import find_time_range
from selflearn.settings import Settings

__all__ = [
    "ResponderOutcome",
    "build_messages",
    "extractive_answer",
    "is_abstention",
    "respond",
    "used_lines",
]

_REPLY_CONTEXT = re.compile(r"\s*\(in reply to [^:]{1,80}: \".*\"\)\s*$", re.DOTALL)
_CITATION = re.compile(r"\[(\d{1,3})\]")
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)
_CLAUSE = re.compile(r"\s*(?:[,;:–—]|\s-\s|\bbut\b|\band\b)\s*")


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


def build_messages(prompt: PromptVersion, context: str, question: str) -> list[BaseMessage]:
    """Return the system and user messages of one responder call."""
    return [
        SystemMessage(content=prompt.system),
        HumanMessage(content=f"Memories:\n{context or NO_MEMORIES}\n\nMessage: {question}"),
    ]


def is_abstention(answer: str) -> bool:
    """Return whether `answer` declines to answer."""
    lowered = answer.strip().lower()
    return ABSTENTION.lower() in lowered or lowered.startswith(("i don't know", "i do not know"))


def _stems(text: str) -> set[str]:
    return {light_stem(w) for w in content_terms(text)}


def _format_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%B %Y}"


def _resolved_date(sentence: str, iso: str) -> str | None:
    """Return the date a relative expression in `sentence` means, said on day `iso`."""
    said = datetime.fromisoformat(iso).replace(hour=12, tzinfo=UTC)
    found, _ = find_time_range(sentence, said)
    if found is None:
        return None
    span_days = (found.end - found.start).days
    if span_days <= 1:
        return f"{found.start.day} {found.start:%B %Y}"
    if span_days <= 7:
        return f"the week of {found.start.day} {found.start:%B %Y}"
    if span_days <= 31:
        return f"{found.start:%B %Y}"
    return f"{found.start.year}"


def extractive_answer(
    question: str, lines: Sequence[ContextLine], style: str
) -> tuple[str, tuple[int, ...]]:
    """Return the best-supported sentence of `lines`, rendered in `style`, and its source.

    A memory supports the question when it shares at least one content word with it beyond
    the names the question mentions (a name alone is said in half the conversation).
    Sentences that are themselves questions are never answers.
    """
    # Only the words and names of the question matter here, not its time range.
    analysis = analyze_query(question, now=_ANY_TIME, keyword_count=32)
    names = {light_stem(w) for name in analysis.entities for w in content_terms(name)}
    wanted = {light_stem(t) for t in analysis.terms}
    if not wanted or not lines:
        return ABSTENTION, ()
    best: tuple[float, int, str] | None = None
    for rank, line in enumerate(lines):
        overlap = _stems(line.text) & wanted
        if not overlap - names and wanted - names:
            continue
        memory_score = len(overlap) + 0.5 * len(overlap - names)
        own = _REPLY_CONTEXT.sub("", line.text)
        for sentence in sentences(own) or [own]:
            if sentence.rstrip().endswith("?"):
                continue
            score = memory_score + 0.5 * len(_stems(sentence) & wanted) + 0.3 / (1 + rank)
            if best is None or score > best[0]:
                best = (score, rank, sentence.strip())
    if best is None:
        return ABSTENTION, ()
    _, rank, sentence = best
    line = lines[rank]
    when = _resolved_date(sentence, line.date) if analysis.question_type == "when" else None
    said_on = _format_date(line.date)
    if style == "concise":
        if when is not None:
            return when, (line.number,)
        clauses = [c for c in _CLAUSE.split(sentence) if c and c.strip()]
        clause = max(clauses, key=lambda c: (len(_stems(c) & wanted), -len(c)), default=sentence)
        return clause.strip().rstrip(".!") + ".", (line.number,)
    who = line.speaker or "You"
    answer = f'{who} said on {said_on}: "{sentence}"'
    if when is not None:
        answer += f" (that is, {when})"
    if style == "grounded":
        answer += f" [{line.number}]"
    return answer, (line.number,)


def used_lines(answer: str, lines: Sequence[ContextLine]) -> tuple[int, ...]:
    """Return the numbers of the memories an answer draws on (citations, else word overlap)."""
    known = {line.number for line in lines}
    cited = tuple(dict.fromkeys(int(n) for n in _CITATION.findall(answer) if int(n) in known))
    if cited or is_abstention(answer):
        return cited
    words = _stems(answer)
    used = []
    for line in lines:
        shared = words & _stems(line.text)
        if words and (len(shared) >= 3 or len(shared) >= 0.6 * len(words)):
            used.append(line.number)
    return tuple(used)


def _offline_handler(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str:
    system = next((m.text for m in messages if isinstance(m, SystemMessage)), "")
    prompt = prompt_version_of(system) or get_prompt("v1")
    human = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    head, _, question = human.rpartition("\n\nMessage: ")
    answer, _ = extractive_answer(question, parse_context(head), prompt.style)
    return answer


register_offline_handler("responder", _offline_handler)


def respond(
    *,
    question: str,
    context: str,
    lines: Sequence[ContextLine],
    params: dict[str, Any],
    settings: Settings | None = None,
) -> ResponderOutcome:
    """Answer `question` from the assembled context with the parameters of this request."""
    prompt = get_prompt(str(params["responder.system_prompt_version"]))
    if not lines:
        # Nothing passed retrieval: abstain without asking a model to guess.
        return ResponderOutcome(ABSTENTION, True, (), 0, 0, 0.0, 0, "none")
    model = chat_model("responder", settings, temperature=float(params["responder.temperature"]))
    override = str(params.get("responder.model", "default"))
    if override != "default" and hasattr(model, "model_name"):
        model = model.model_copy(update={"model_name": override})
    call = invoke_chat(model, build_messages(prompt, context, question), role="responder")
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

"""The offline responder: the best-supported memory sentence, chosen by the answer behaviour.

Every sentence of the context is a candidate. Its support is the number of question terms
it and its memory share, the names of the speakers counting less (a speaker's name alone
is said in half the conversation), plus a small bonus for the memory's rank. Sentences
that are themselves questions are never answers. Three readings of the question hold
whatever the behaviour (`selflearn.maas._subjects`):

- words of the moment ("now", "currently", "previous", `MOMENT_WORDS`) say when, not what,
  so they match no sentence ("my pet now" is not answered by "That's all for now.");
- a question that joins questions ("Where do I live, and which course am I taking?") is
  answered part by part, the unanswerable parts left out;
- a question about what came before an anchor ("before the red hatchback", "my previous
  car", `question_anchor`) is never answered by the sentences stating the anchor, only by
  what was said no later than them; the latest of those under conflicts ``latest``.

And a sentence that states none of the question's terms is a candidate only when no
sentence does (it answers through its memory's reply context).

Then the behaviour factors (`AnswerBehaviour`, set by parameters, never by prompt text)
apply:

- scope ``own`` (whose facts count): sentences about someone else are dropped, sentences
  about no one in particular count one term less (`selflearn.maas._subjects.sentence_subject`);
- conflicts ``latest`` (which of two disagreeing memories holds): a candidate competes with
  the best one when it has three quarters of its support, or half of it and says that
  something changed ("these days ...", "I switched to ...", `announces_change`); among the
  competitors a question about the present takes the newest memory, a question about how
  things were at first the oldest, and any other past question the best supported
  (`question_moment`);
- abstain ``uncertain`` (when to decline): the chosen sentence must state at least half of
  the question's terms other than speakers' names, or the responder abstains.

The chosen sentence is rendered in the behaviour's style: a dated quote (``sentence``), the
quote with its citation ``[n]`` (``grounded``), or the shortest clause, a date for "when"
questions (``concise``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from selflearn.maas._analyzer import QueryAnalysis, analyze_query
from selflearn.maas._assembler import ContextLine
from selflearn.maas._behaviour import AnswerBehaviour
from selflearn.maas._prompts import ABSTENTION
from selflearn.maas._subjects import (
    MOMENT_WORDS,
    announces_change,
    question_anchor,
    question_moment,
    sentence_subject,
)
from selflearn.maas._text import content_terms, sentences, without_reply_context
from selflearn.maas._timeexpr import find_time_range
from selflearn.providers import light_stem

__all__ = ["extractive_answer", "question_stems", "term_stems"]

_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)
_CLAUSE = re.compile(r"\s*(?:[,;:–—]|\s-\s|\bbut\b|\band\b)\s*")
# A sentence about no one in particular counts this many terms less under scope "own".
_UNKNOWN_SUBJECT_PENALTY = 1.0
_COMPETING_SHARE = 0.75
_CHANGE_COMPETING_SHARE = 0.5
# Under abstain "uncertain", the share of the question's terms the answer must state.
_CERTAIN_SHARE = 0.5


@dataclass(frozen=True)
class _Candidate:
    score: float
    rank: int
    sentence: str
    date: str
    terms: frozenset[str]


def term_stems(text: str) -> set[str]:
    """Return the light stems of the content terms of `text`."""
    return {light_stem(w) for w in content_terms(text)}


def _topical_stems(analysis: QueryAnalysis) -> set[str]:
    # "Which pet do I have now?" asks about pets; "now" says when, which `_choose` reads.
    topical = [t for t in analysis.terms if t not in MOMENT_WORDS] or list(analysis.terms)
    return {light_stem(t) for t in topical}


def question_stems(question: str) -> set[str]:
    """Return the stems the responder matches sentences on for `question`."""
    return _topical_stems(analyze_query(question, now=_ANY_TIME, keyword_count=32))


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


def _candidates(
    question: str,
    lines: Sequence[ContextLine],
    wanted: set[str],
    names: set[str],
    own_facts: bool,
) -> list[_Candidate]:
    found = []
    for rank, line in enumerate(lines):
        overlap = term_stems(line.text) & wanted
        if not overlap - names and wanted - names:
            continue
        memory_score = len(overlap) + 0.5 * len(overlap - names)
        own = without_reply_context(line.text)
        for sentence in sentences(own) or [own]:
            if sentence.rstrip().endswith("?"):
                continue
            terms = term_stems(sentence) & wanted
            score = memory_score + 0.5 * len(terms) + 0.3 / (1 + rank)
            if own_facts:
                subject = sentence_subject(sentence, question)
                if subject == "other":
                    continue
                if subject == "unknown":
                    score -= _UNKNOWN_SUBJECT_PENALTY
            found.append(_Candidate(score, rank, sentence.strip(), line.date, frozenset(terms)))
    return found


def _competing(candidates: list[_Candidate]) -> list[_Candidate]:
    """Return the candidates that may state another value of what the best one states."""
    best = max(c.score for c in candidates)
    return [
        c
        for c in candidates
        if c.score >= _COMPETING_SHARE * best
        or (c.score >= _CHANGE_COMPETING_SHARE * best and announces_change(c.sentence))
    ]


def _before_anchor(
    candidates: list[_Candidate], anchor: str, wanted: set[str]
) -> list[_Candidate] | None:
    """Return the candidates said before what a question's anchor states, or None.

    "What did I drive before the red hatchback?" is never answered by the red hatchback:
    the sentences stating at least half of the anchor's terms are dropped, and of the rest
    those said no later than the anchor are kept. With no anchor terms ("my previous
    pet"), the newest of the competing candidates is taken as the anchor. None when nothing
    would be left, or nothing states the anchor.
    """
    anchor_terms = term_stems(anchor) & wanted
    stating = [
        c
        for c in candidates
        if anchor_terms and 2 * len(c.terms & anchor_terms) >= len(anchor_terms)
    ]
    if not stating:
        competing = _competing(candidates)
        newest = max(c.date for c in competing)
        if all(c.date == newest for c in competing):
            return None
        stating = [c for c in competing if c.date == newest]
    rest = [c for c in candidates if c not in stating]
    if not rest:
        return None
    limit = min(c.date for c in stating)
    return [c for c in rest if c.date <= limit] or rest


def _choose(
    candidates: list[_Candidate], question: str, latest_wins: bool, *, anchored: bool
) -> _Candidate:
    best = max(candidates, key=lambda c: (c.score, -c.rank))
    # Before an anchor, the latest of what is left held just before it.
    moment = "present" if anchored else question_moment(question)
    if not latest_wins or moment == "past":
        return best
    competing = _competing(candidates)
    if moment == "present":
        return max(competing, key=lambda c: (c.date, c.score, -c.rank))
    return min(competing, key=lambda c: (c.date, -c.score, c.rank))


def _uncertain(chosen: _Candidate, wanted: set[str], names: set[str]) -> bool:
    """Return whether the chosen sentence states less than half of what is asked."""
    asked = wanted - names or wanted
    return len(chosen.terms & asked) < _CERTAIN_SHARE * len(asked)


# "Where do I live, and which course am I taking?": two questions, answered one by one.
_CONJUNCTION = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|whose|where|when|how|why|is|are|do|does|did|"
    r"am|was|were|have|has)\b)",
    re.I,
)


def _parts(question: str) -> list[str]:
    """Split a question that joins several questions with "and" into those questions."""
    parts = [p.strip() for p in _CONJUNCTION.split(question) if p.strip()]
    return [p if p.endswith("?") else f"{p}?" for p in parts] if len(parts) > 1 else [question]


def _answer_one(
    question: str, lines: Sequence[ContextLine], speakers: set[str], behaviour: AnswerBehaviour
) -> tuple[str, int] | None:
    """Return the answer to one question and the index of its line, or None to abstain.

    `speakers` are the stems of the speakers' names in `lines`.
    """
    # Only the words and names of the question matter here, not its time range.
    analysis = analyze_query(question, now=_ANY_TIME, keyword_count=32)
    names = {light_stem(w) for name in analysis.entities for w in content_terms(name)} & speakers
    wanted = _topical_stems(analysis)
    if not wanted:
        return None
    candidates = _candidates(question, lines, wanted, names, behaviour.scope == "own")
    # A sentence that says none of what is asked answers only through its memory's reply
    # context ("At the harbour office." to "Where do you work?"): only when no sentence does.
    candidates = [c for c in candidates if c.terms] or candidates
    if not candidates:
        return None
    anchor = question_anchor(question)
    earlier = _before_anchor(candidates, anchor, wanted) if anchor is not None else None
    chosen = _choose(
        earlier or candidates,
        question,
        behaviour.conflicts == "latest",
        anchored=earlier is not None,
    )
    if behaviour.abstain == "uncertain" and _uncertain(chosen, wanted, names):
        return None
    sentence, line = chosen.sentence, lines[chosen.rank]
    when = _resolved_date(sentence, line.date) if analysis.question_type == "when" else None
    if behaviour.style == "concise":
        if when is not None:
            return when, chosen.rank
        clauses = [c for c in _CLAUSE.split(sentence) if c and c.strip()]
        clause = max(
            clauses, key=lambda c: (len(term_stems(c) & wanted), -len(c)), default=sentence
        )
        return clause.strip().rstrip(".!") + ".", chosen.rank
    who = line.speaker or "You"
    answer = f'{who} said on {_format_date(line.date)}: "{sentence}"'
    if when is not None:
        answer += f" (that is, {when})"
    if behaviour.style == "grounded":
        answer += f" [{line.number}]"
    return answer, chosen.rank


def extractive_answer(
    question: str,
    lines: Sequence[ContextLine],
    behaviour: AnswerBehaviour | None = None,
) -> tuple[str, tuple[int, ...]]:
    """Return the answer to `question` from `lines` under the answer `behaviour`.

    A question that joins several ("..., and which ...?") gets one answer per part; the
    parts the memories cannot answer are left out, and it abstains only when none can be.
    """
    behaviour = behaviour or AnswerBehaviour()
    if not lines:
        return ABSTENTION, ()
    speakers = {light_stem(w) for line in lines for w in content_terms(line.speaker or "")}
    found = [_answer_one(part, lines, speakers, behaviour) for part in _parts(question)]
    answered = [a for a in found if a is not None]
    if not answered:
        return ABSTENTION, ()
    used = tuple(dict.fromkeys(lines[rank].number for _, rank in answered))
    return " ".join(dict.fromkeys(text for text, _ in answered)), used

"""The offline responder: the best-supported memory sentence, chosen by the answer behaviour.

Every sentence of the context is a candidate. Its support is the number of question terms
it and its memory share, the names of the speakers counting less (a speaker's name alone
is said in half the conversation), plus a small bonus for the memory's rank. Sentences
that are themselves questions are never answers. Then the behaviour factors
(`AnswerBehaviour`, set by parameters, never by prompt text) apply:

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

from selflearn.maas._analyzer import analyze_query
from selflearn.maas._assembler import ContextLine
from selflearn.maas._behaviour import AnswerBehaviour
from selflearn.maas._prompts import ABSTENTION
from selflearn.maas._subjects import announces_change, question_moment, sentence_subject
from selflearn.maas._text import content_terms, sentences, without_reply_context
from selflearn.maas._timeexpr import find_time_range
from selflearn.providers import light_stem

__all__ = ["extractive_answer", "term_stems"]

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


def _choose(candidates: list[_Candidate], question: str, latest_wins: bool) -> _Candidate:
    best = max(candidates, key=lambda c: (c.score, -c.rank))
    moment = question_moment(question)
    if not latest_wins or moment == "past":
        return best
    competing = [
        c
        for c in candidates
        if c.score >= _COMPETING_SHARE * best.score
        or (c.score >= _CHANGE_COMPETING_SHARE * best.score and announces_change(c.sentence))
    ]
    if moment == "present":
        return max(competing, key=lambda c: (c.date, c.score, -c.rank))
    return min(competing, key=lambda c: (c.date, -c.score, c.rank))


def _uncertain(chosen: _Candidate, wanted: set[str], names: set[str]) -> bool:
    """Return whether the chosen sentence states less than half of what is asked."""
    asked = wanted - names or wanted
    return len(chosen.terms & asked) < _CERTAIN_SHARE * len(asked)


def extractive_answer(
    question: str,
    lines: Sequence[ContextLine],
    behaviour: AnswerBehaviour | None = None,
) -> tuple[str, tuple[int, ...]]:
    """Return the answer to `question` from `lines` under the answer `behaviour`."""
    behaviour = behaviour or AnswerBehaviour()
    # Only the words and names of the question matter here, not its time range.
    analysis = analyze_query(question, now=_ANY_TIME, keyword_count=32)
    speakers = {light_stem(w) for line in lines for w in content_terms(line.speaker or "")}
    names = {light_stem(w) for name in analysis.entities for w in content_terms(name)} & speakers
    wanted = {light_stem(t) for t in analysis.terms}
    if not wanted or not lines:
        return ABSTENTION, ()
    candidates = _candidates(question, lines, wanted, names, behaviour.scope == "own")
    if not candidates:
        return ABSTENTION, ()
    chosen = _choose(candidates, question, behaviour.conflicts == "latest")
    if behaviour.abstain == "uncertain" and _uncertain(chosen, wanted, names):
        return ABSTENTION, ()
    sentence, line = chosen.sentence, lines[chosen.rank]
    when = _resolved_date(sentence, line.date) if analysis.question_type == "when" else None
    if behaviour.style == "concise":
        if when is not None:
            return when, (line.number,)
        clauses = [c for c in _CLAUSE.split(sentence) if c and c.strip()]
        clause = max(
            clauses, key=lambda c: (len(term_stems(c) & wanted), -len(c)), default=sentence
        )
        return clause.strip().rstrip(".!") + ".", (line.number,)
    who = line.speaker or "You"
    answer = f'{who} said on {_format_date(line.date)}: "{sentence}"'
    if when is not None:
        answer += f" (that is, {when})"
    if behaviour.style == "grounded":
        answer += f" [{line.number}]"
    return answer, (line.number,)

"""The analyzer: what a query asks for (terms, keywords, names, a time range, question type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from selflearn.agents.providers._embeddings import light_stem
from selflearn.maas._text import content_terms
from selflearn.maas._timeexpr import MONTHS, WEEKDAYS, DateRange, find_time_range

__all__ = ["QueryAnalysis", "analyze_query"]

_QUESTION_WORDS = {
    "when": "when", "what": "what", "who": "who", "whom": "who", "whose": "who",
    "where": "where", "why": "why", "how": "how", "which": "which",
}  # fmt: skip
_CAPITALISED = re.compile(r"\b([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_NOT_NAMES = {"I", "I'm", "I've", "I'd", "I'll", "OK", "Ok"} | {
    name.capitalize() for name in (*MONTHS, *WEEKDAYS)
}


@dataclass(frozen=True)
class QueryAnalysis:
    """The analyzer's reading of one query.

    `terms` are the normalised content words (stop words and the words of the time expression
    removed), one per stem, names first; `keywords` are the first `retrieval.keyword_count`
    of them, the terms lexical search matches on.
    """

    text: str
    terms: tuple[str, ...]
    keywords: tuple[str, ...]
    entities: tuple[str, ...]
    time_range: DateRange | None
    question_type: str | None


def _entities(text: str) -> list[str]:
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        phrase = match.group(1).replace("’", "'")
        if phrase.endswith("'s"):
            phrase = phrase[:-2]
        at_start = match.start() == 0 or text[: match.start()].rstrip()[-1:] in ".!?"
        parts = [p for p in phrase.split() if p not in _NOT_NAMES]
        if (
            at_start
            and parts
            and parts[0] == phrase.split()[0]
            and not match.group(1).endswith(("'s", "’s"))
        ):
            # A capitalised first word is usually just the start of the sentence.
            parts = parts[1:]
        if parts and parts[0].lower() in _QUESTION_WORDS:
            parts = parts[1:]
        if parts:
            found.append(" ".join(parts))
    return list(dict.fromkeys(found))


def _question_type(text: str) -> str | None:
    lowered = text.strip().lower()
    for word in re.findall(r"[a-z]+", lowered)[:3]:
        if word in _QUESTION_WORDS:
            return _QUESTION_WORDS[word]
    if lowered.endswith("?"):
        return "yesno"
    return None


def analyze_query(text: str, *, now: datetime, keyword_count: int) -> QueryAnalysis:
    """Read `text` against the reference time `now`; keep `keyword_count` keywords."""
    time_range, span = find_time_range(text, now)
    searchable = text if span is None else text[: span[0]] + " " + text[span[1] :]
    entities = _entities(searchable)
    entity_words = [w for name in entities for w in content_terms(name)]
    ordered: dict[str, str] = {}
    # Names first (they identify what the question is about), then the other content words
    # in the order they were written; one term per stem.
    for word in [*entity_words, *content_terms(searchable)]:
        ordered.setdefault(light_stem(word), word)
    terms = tuple(ordered.values())
    return QueryAnalysis(
        text=text,
        terms=terms,
        keywords=terms[: max(0, keyword_count)],
        entities=tuple(entities),
        time_range=time_range,
        question_type=_question_type(text),
    )

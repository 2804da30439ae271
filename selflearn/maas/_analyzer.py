"""The analyzer: what a query asks for (terms, keywords, names, a time range, question type)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from selflearn.maas._text import content_terms, sentences
from selflearn.maas._timeexpr import MONTHS, WEEKDAYS, DateRange, find_time_range
from selflearn.providers import light_stem

__all__ = ["QueryAnalysis", "analyze_query"]

_QUESTION_WORDS = {
    "when": "when", "what": "what", "who": "who", "whom": "who", "whose": "who",
    "where": "where", "why": "why", "how": "how", "which": "which",
}  # fmt: skip
_CAPITALISED = re.compile(r"\b([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_NOT_NAMES = {"I", "I'm", "I've", "I'd", "I'll", "OK", "Ok"} | {
    name.capitalize() for name in (*MONTHS, *WEEKDAYS)
}
# Words of *asking* rather than of the topic ("wait, remind me, ...", "do you remember: ...",
# "quick question"): as terms they match memories on how something was said, not on what.
DISCOURSE_WORDS = frozenset(
    """
    remind reminder remember recall wait quick question random sorry please kindly tell
    know help ask asked asking wonder wondering curious blanked forgot forget appreciate
    may might
    """.split()
)


_DISCOURSE_STEMS = frozenset(light_stem(w) for w in DISCOURSE_WORDS)


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
    # The question word opens a clause: "Wait, remind me, when is ...", "Q: who ...".
    for clause in re.split(r"[,:;]|\bbut\b", lowered):
        first = re.findall(r"[a-z]+", clause)[:1]
        if first and first[0] in _QUESTION_WORDS:
            return _QUESTION_WORDS[first[0]]
    for word in re.findall(r"[a-z]+", lowered)[:3]:
        if word in _QUESTION_WORDS:
            return _QUESTION_WORDS[word]
    if lowered.endswith("?"):
        return "yesno"
    return None


def _asking_part(text: str) -> str:
    """Return the sentences of `text` that ask, when it also says other things.

    "Help me out here, what's my boat called? I can never keep track!": the topic is in the
    question; the remark after it would match memories that share only its small talk.
    """
    parts = sentences(text)
    asking = [p for p in parts if p.rstrip().endswith("?")]
    return " ".join(asking) if asking and len(asking) < len(parts) else text


def analyze_query(text: str, *, now: datetime, keyword_count: int) -> QueryAnalysis:
    """Read `text` against the reference time `now`; keep `keyword_count` keywords."""
    focus = _asking_part(text)
    time_range, span = find_time_range(focus, now)
    searchable = focus if span is None else focus[: span[0]] + " " + focus[span[1] :]
    entities = _entities(searchable)
    entity_words = [w for name in entities for w in content_terms(name)]
    ordered: dict[str, str] = {}
    # Names first (they identify what the question is about), then the other content words
    # in the order they were written; one term per stem.
    topical = [w for w in content_terms(searchable) if light_stem(w) not in _DISCOURSE_STEMS]
    for word in [*entity_words, *topical]:
        ordered.setdefault(light_stem(word), word)
    terms = tuple(ordered.values())
    return QueryAnalysis(
        text=text,
        terms=terms,
        keywords=terms[: max(0, keyword_count)],
        entities=tuple(entities),
        time_range=time_range,
        question_type=_question_type(focus),
    )

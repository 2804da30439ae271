"""Text primitives of the pipeline: content terms, stems, sentences and token counts."""

from __future__ import annotations

import re

from selflearn.providers import STOP_WORDS, count_tokens, light_stem, words

__all__ = [
    "STOP_WORDS",
    "content_terms",
    "count_tokens",
    "sentences",
    "stems",
    "truncate_tokens",
    "without_reply_context",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|(?<=\])\s+|\n+")
# A full stop after these does not end a sentence: "Mr. Reyes", "St. Kilda's", "No. 4".
_ABBREVIATION = re.compile(r"(?:^|\s|\()(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Mt|No|Jr|Sr|vs|e\.g|i\.e)\.$")
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# The end of the turn a memory answers, as `_archivist.with_reply_context` appends it.
_REPLY_CONTEXT = re.compile(r"\s*\(in reply to [^:]{1,80}: \".*\"\)\s*$", re.DOTALL)


def content_terms(text: str) -> list[str]:
    """Return the words of `text` that are not stop words, in order, lower-cased."""
    return [w for w in words(text) if (w not in STOP_WORDS and len(w) > 1) or w.isdigit()]


def without_reply_context(text: str) -> str:
    """Return what a memory says itself, without the reply context it carries."""
    return _REPLY_CONTEXT.sub("", text)


def stems(text: str) -> set[str]:
    """Return the set of light stems of the content terms of `text`."""
    return {light_stem(w) for w in content_terms(text)}


def sentences(text: str) -> list[str]:
    """Split `text` into sentences (a shared-photo caption in brackets is its own sentence)."""
    merged: list[str] = []
    for part in (p.strip() for p in _SENTENCE_END.split(text)):
        if not part:
            continue
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def truncate_tokens(text: str, budget: int) -> str:
    """Return the longest prefix of `text` whose approximate token count fits `budget`."""
    matches = list(_TOKEN.finditer(text))
    if len(matches) <= budget:
        return text
    if budget <= 1:
        return ""
    # The ellipsis marking the cut counts as one token of the budget.
    return text[: matches[budget - 2].end()].rstrip() + " …"

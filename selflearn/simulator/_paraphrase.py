"""Paraphrasers: the hook that varies surface text while planted values stay verbatim."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from selflearn.simulator._templates import (
    CONTRACT,
    CONTRACTIONS,
    LOWERABLE,
    QUESTION_FRAMES,
    STATEMENT_FRAMES,
    SYNONYM_RATE,
    SYNONYMS,
)

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks around protected spans
_SALIENT = re.compile(
    r"\"[^\"]+\"|\d(?:[\w:./-]*\w)?(?:\s+(?:am|pm)\b)?|[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*"
)


@runtime_checkable
class Paraphraser(Protocol):
    """Rewrites one utterance in a persona's style, keeping every `keep` string verbatim."""

    def paraphrase(self, text: str, *, keep: list[str], style: str, seed: int) -> str:
        """Return a rewording of `text`; the same arguments give the same result."""
        ...


def check_paraphrase_keeps(text: str, keep: Sequence[str]) -> bool:
    """Return whether every `keep` string occurs in `text` exactly (case and all)."""
    return all(item in text for item in keep)


def _base(word: str) -> str:
    """Return the lower-cased word without punctuation or a clitic ("What's" -> "what")."""
    return re.split(r"['\u2019]", word.strip(",.;:!?"), maxsplit=1)[0].lower()


def salient_spans(text: str) -> list[str]:
    """Return spans a paraphrase must not touch: quotes, numbers and capitalised names.

    A capitalised common sentence opener ("My", "What") is not a name and is left out.
    """
    spans: list[str] = []
    for match in _SALIENT.finditer(text):
        span = match.group(0)
        words = span.split()
        while words and (_base(words[0]) in LOWERABLE or _base(words[0]) == "i"):
            words.pop(0)
        span = " ".join(words)
        if span and span not in spans:
            spans.append(span)
    return spans


def _mark(index: int) -> str:
    # The index is a private-use character too: a digit there could be taken for a kept
    # number ("3") by a later replacement.
    return f"{_OPEN}{chr(0xE100 + index)}{_CLOSE}"


def _protect(text: str, keep: Sequence[str]) -> tuple[str, list[str]]:
    # Longest first, so a kept string inside a longer one stays inside it; ties in a fixed
    # order, so every Python process masks (and so rewrites) the same way.
    kept = sorted({k for k in keep if k and k in text}, key=lambda k: (-len(k), k))
    for index, item in enumerate(kept):
        text = text.replace(item, _mark(index))
    return text, kept


def _restore(text: str, kept: Sequence[str]) -> str:
    for index, item in enumerate(kept):
        text = text.replace(_mark(index), item)
    return text


def _match_case(word: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement


def _swap_synonyms(text: str, rng: random.Random, rate: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        options = SYNONYMS.get(word.lower())
        if not options or rng.random() >= rate:
            return word
        return _match_case(word, rng.choice(options))

    return re.sub(r"(?<![\ue000\w])[A-Za-z]+(?![\w\ue001])", swap, text)


def _replacer(target: str) -> Callable[[re.Match[str]], str]:
    return lambda match: _match_case(match.group(0), target)


def _contract(text: str, contract: bool) -> str:
    for long, short in CONTRACTIONS:
        source, target = (long, short) if contract else (short, long)
        pattern = re.compile(rf"\b{re.escape(source)}\b", re.IGNORECASE)
        text = pattern.sub(_replacer(target), text)
    return text


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if _base(first) in LOWERABLE and first != "I" and not first.startswith("I'"):
        return text[:1].lower() + text[1:]
    return text


class TemplateParaphraser:
    """The offline paraphraser: style frames, synonym swaps and contractions, all seeded.

    Protected spans (the `keep` strings) are masked before any rewrite and restored after,
    so they survive verbatim by construction.
    """

    def paraphrase(self, text: str, *, keep: list[str], style: str, seed: int) -> str:
        """Return a seeded rewording of `text` in `style` that keeps every `keep` string."""
        rng = random.Random(seed)
        style = style if style in STATEMENT_FRAMES else "neutral"
        masked, kept = _protect(text.strip(), keep)
        masked = _swap_synonyms(masked, rng, SYNONYM_RATE[style])
        contract = CONTRACT[style]
        if contract is None:
            contract = rng.random() < 0.5
        masked = _contract(masked, contract)
        if masked and masked[-1] not in ".!?":
            masked += "."
        frames = QUESTION_FRAMES if masked.endswith("?") else STATEMENT_FRAMES
        frame = rng.choice(frames[style])
        if style == "terse" and rng.random() < 0.5:
            masked = masked.rstrip(".")
        result = frame.replace("{S}", masked).replace("{s}", _lower_first(masked))
        return _restore(result, kept)


def safe_paraphrase(
    paraphraser: Paraphraser,
    fallback: Paraphraser,
    text: str,
    *,
    keep: list[str],
    style: str,
    seed: int,
) -> tuple[str, bool]:
    """Paraphrase with `paraphraser`; fall back when it drops a kept string or says nothing.

    Returns the text and whether the fallback was used.
    """
    result = paraphraser.paraphrase(text, keep=keep, style=style, seed=seed)
    if result.strip() and check_paraphrase_keeps(result, keep):
        return result, False
    return fallback.paraphrase(text, keep=keep, style=style, seed=seed), True

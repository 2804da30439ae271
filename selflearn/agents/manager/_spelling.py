"""Small typos in the owner's words, put right against the words the Manager knows.

Only a word the Manager does not know is changed, and only to the one known word within a
Damerau–Levenshtein distance of 1 (2 for words of 8 letters or more); a word of fewer
than 4 letters is left alone. Ties go to the word sharing the longer prefix, then to the
longer word, so the same typo always reads the same way. Ids, numbers and words with
digits or dashes are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def distance(a: str, b: str, limit: int) -> int:
    """Return the optimal-string-alignment distance of `a` and `b` (capped at limit + 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class Speller:
    """Correct unknown words to the closest word of a fixed vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(self.vocabulary):
            self._by_length.setdefault(len(word), []).append(word)

    def word(self, word: str) -> str:
        """Return `word` corrected, or unchanged when it is known, short or ambiguous."""
        return _correct(self, word)

    def _candidates(self, word: str, limit: int) -> list[str]:
        found = []
        for length in range(len(word) - limit, len(word) + limit + 1):
            for known in self._by_length.get(length, ()):
                if distance(word, known, limit) <= limit:
                    found.append(known)
        return found

    def text(self, text: str) -> str:
        """Return `text` with every unknown word corrected (case, spacing and ids kept)."""

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            fixed = self.word(word.lower())
            return word if fixed == word.lower() else fixed

        return re.sub(r"(?<![\w'-])[A-Za-z]+(?![\w'-])", fix, text)


@lru_cache(maxsize=4096)
def _cached(speller: Speller, word: str) -> str:
    if len(word) < 4 or word in speller.vocabulary:
        return word
    limit = 2 if len(word) >= 8 else 1
    candidates = speller._candidates(word, limit)
    if not candidates:
        return word
    best = min(distance(word, c, limit) for c in candidates)
    closest = [c for c in candidates if distance(word, c, limit) == best]
    closest.sort(key=lambda c: (-_prefix(word, c), -len(c), c))
    return closest[0]


def _correct(speller: Speller, word: str) -> str:
    return _cached(speller, word)

"""Word-level text helpers shared by the offline embedder and the Student's analyser.

Words are NFKC-normalised and lower-cased; `light_stem` strips one common English
inflectional suffix. Both are deterministic and need no download.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOP_WORDS", "light_stem", "words"]

# Function words that carry no topic; shared with the query analyser of `selflearn.maas`.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
    i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's will with won't
    would wouldn't you you'd you'll you're you've your yours yourself yourselves also just
    really yeah yes oh ok okay hey hi hello thanks thank s t d ll m re ve did got get gets
    getting go going went gone like would've wow
    """.split()
)

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
# Longest suffixes first; each keeps a stem of at least three characters.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ization", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ingly", ""),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ings", ""),
    ("sses", "ss"),
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("edly", ""),
    ("ers", "er"),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)


def words(text: str) -> list[str]:
    """Return the lower-cased words of `text` (NFKC-normalised, curly apostrophes unified)."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return _WORD.findall(folded)


def light_stem(word: str) -> str:
    """Strip one common English inflectional suffix, keeping a stem of three or more letters."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            stem = word[: len(word) - len(suffix)] + replacement
            # "running" -> "runn" -> "run": undo a doubled final consonant.
            doubled = len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz"
            if replacement == "" and doubled:
                stem = stem[:-1]
            return _drop_final_e(stem)
    return _drop_final_e(word)


def _drop_final_e(stem: str) -> str:
    # "move", "moved" and "moving" all become "mov".
    return stem[:-1] if len(stem) > 3 and stem.endswith("e") and stem[-2] not in "aeiou" else stem

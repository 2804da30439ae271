"""Text normalisation and token overlap, the ground floor of every deterministic metric.

Normalisation follows SQuAD (lower case, no punctuation, no articles, single spaces) with
one change: punctuation becomes a space instead of vanishing, so "top_k=50" and
"top_k = 50" normalise alike. Apostrophes are dropped, so "don't" stays one token.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_ARTICLES = frozenset({"a", "an", "the"})
_APOSTROPHES = "'\u2019\u02bc`"

#: Function words that carry no claim (articles are removed earlier).
STOPWORDS = frozenset(
    """
    i me my mine myself we us our ours you your yours yourself he him his she her hers it its
    they them their theirs this that these those who whom whose which what when where why how
    am is are was were be been being have has had having do does did doing will would shall
    should can could may might must ought and or but if then else so because as of at by for
    with about against between into through during before after above below to from up down
    in out on off over under again further once here there all any both each few more most
    other some such no nor not only own same than too very just also s t d ll m re ve dont
    doesnt didnt isnt arent wasnt werent im youre ive youve id youd its thats theres lets
    yes yeah ok okay oh well now still yet ever even really quite
    """.split()
)

#: Conversational words an answer uses without asserting anything about the world.
DISCOURSE = frozenset(
    """
    sorry afraid think believe guess sure certain seems seem apparently according based
    remember recall recalled mention mentioned mentioning told tell telling said say saying
    share shared sharing conversation conversations chat chats earlier previous previously
    before past recent recently record records information info details detail memory
    memories know known aware note noted currently current actually let me please thanks
    thank hi hello hey answer question questions sounds like there anything something
    """.split()
)


def normalize(text: str) -> str:
    """Return the SQuAD-style normal form used for every comparison."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if ch not in _APOSTROPHES)
    text = "".join(" " if unicodedata.category(ch).startswith(("P", "S")) else ch for ch in text)
    return " ".join(word for word in text.split() if word not in _ARTICLES)


def tokens(text: str) -> list[str]:
    """Return the normalised tokens of `text`."""
    return normalize(text).split()


def token_f1(prediction: Sequence[str], reference: Sequence[str]) -> float:
    """Return SQuAD token F1 of two token lists (1.0 when both are empty)."""
    if not prediction or not reference:
        return 1.0 if not prediction and not reference else 0.0
    same = sum((Counter(prediction) & Counter(reference)).values())
    if same == 0:
        return 0.0
    precision = same / len(prediction)
    recall = same / len(reference)
    return 2 * precision * recall / (precision + recall)


def span_f1(prediction: Sequence[str], reference: Sequence[str], slack: int = 2) -> float:
    """Return the best F1 of `reference` against any window of `prediction`.

    Windows run from 1 to len(reference) + slack tokens, so an answer that contains the
    expected answer inside a longer sentence scores 1.0, and a near miss scores as F1 does.
    """
    if not prediction or not reference:
        return token_f1(prediction, reference)
    best = 0.0
    longest = min(len(prediction), len(reference) + slack)
    for size in range(1, longest + 1):
        for start in range(len(prediction) - size + 1):
            best = max(best, token_f1(prediction[start : start + size], reference))
            if best == 1.0:
                return best
    return best


def contains_phrase(text: str, phrase: str) -> bool:
    """Return whether `phrase` occurs in `text` as whole normalised tokens, in order."""
    needle = tokens(phrase)
    if not needle:
        return False
    hay = tokens(text)
    size = len(needle)
    return any(hay[i : i + size] == needle for i in range(len(hay) - size + 1))


def stem(token: str) -> str:
    """Return a crude stem (plural and verb endings cut) so "moved" meets "move"."""
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def is_number(token: str) -> bool:
    """Return whether a token carries a digit (a number, a date part, a version...)."""
    return any(ch.isdigit() for ch in token)


def content_tokens(text: str, *, ignore: Iterable[str] = ()) -> list[str]:
    """Return the claim-bearing tokens of `text`: not stop words, discourse or `ignore`."""
    skip = {stem(word) for word in ignore}
    return [
        word
        for word in tokens(text)
        if word not in STOPWORDS and word not in DISCOURSE and stem(word) not in skip
    ]

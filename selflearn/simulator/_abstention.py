"""Recognise "I don't know"-type answers, deterministically and conservatively.

An answer abstains when it is empty, or when it contains one of `ABSTENTION_PHRASES` and
asserts nothing else: once stop words, conversational words, the question's own words and
the phrases' words are set aside, no token is left. "I don't know, maybe Ghent?" therefore
counts as an answer (a hedged guess), not as an abstention.
"""

from __future__ import annotations

from selflearn.simulator._text import contains_phrase, content_tokens, tokens

#: Phrases in normalised form (lower case, no apostrophes); matched as whole tokens.
ABSTENTION_PHRASES: tuple[str, ...] = (
    "i dont know",
    "i do not know",
    "dont know",
    "do not know",
    "not sure",
    "no idea",
    "cant recall",
    "cannot recall",
    "dont recall",
    "do not recall",
    "cant remember",
    "cannot remember",
    "dont remember",
    "do not remember",
    "havent told me",
    "have not told me",
    "never told me",
    "didnt tell me",
    "did not tell me",
    "havent mentioned",
    "have not mentioned",
    "never mentioned",
    "not mentioned",
    "wasnt mentioned",
    "no mention",
    "i dont have",
    "i do not have",
    "i have no",
    "no information",
    "no record",
    "no memory",
    "nothing about",
    "cannot answer",
    "cant answer",
    "unable to answer",
    "cannot say",
    "cant say",
    "cannot determine",
    "cant determine",
    "cannot find",
    "cant find",
    "couldnt find",
    "could not find",
    "not aware",
    "unknown",
    "unanswerable",
)

_PHRASE_WORDS = frozenset(word for phrase in ABSTENTION_PHRASES for word in phrase.split())


def is_abstention(answer: str, question: str = "") -> bool:
    """Return whether `answer` declines to answer `question` without asserting anything."""
    if not tokens(answer):
        return True
    if not any(contains_phrase(answer, phrase) for phrase in ABSTENTION_PHRASES):
        return False
    leftover = content_tokens(answer, ignore=[*tokens(question), *_PHRASE_WORDS])
    return not leftover

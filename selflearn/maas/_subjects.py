"""Whose fact a memory sentence states, and which moment a question asks about.

The offline responder reads questions and memory sentences with these plain word rules,
each of which can be checked by hand:

- `sentence_subject`: "self" when the user is the subject ("I work at ...", "my tortoise
  is called Basil", "my doctor put me on iron tablets"), "other" when someone else is ("my
  husband Tomasz works at ...", "Omar takes atorvastatin for his cholesterol"), "unknown"
  when the sentence names no person at all ("Tamarind slipped to 3 February").
- `question_moment`: "past-first" for questions about how things were at first ("before I
  moved", "originally", "when we first met"), "past" for other past-tense questions,
  "present" otherwise (what holds now).
- `question_anchor`: what a question about an earlier state is anchored on: the words after
  "before" or "prior to" up to the end of the clause ("What did I drive before the red
  hatchback?" -> "the red hatchback"), "" for "previous", "former" or "previously" with no
  such words, else None; a "before" that ends its clause ("Sorry if I asked before, but
  ...") anchors nothing.
- `announces_change`: whether a sentence says that something changed ("these days my
  go-to breakfast is ...", "I am back to three pottery classes a week", "I switched to
  ...").
"""

from __future__ import annotations

import re
from typing import Literal

Subject = Literal["self", "other", "unknown"]
Moment = Literal["present", "past", "past-first"]

__all__ = [
    "CHANGE_CUES",
    "MOMENT_WORDS",
    "RELATIONS",
    "Moment",
    "Subject",
    "announces_change",
    "question_anchor",
    "question_moment",
    "sentence_subject",
    "subject_key",
]

#: People a user talks about: "my <relation>" makes them the subject of a sentence.
RELATIONS = frozenset(
    """
    wife husband partner spouse boyfriend girlfriend fiance fiancee ex brother sister sibling
    siblings mother father mom mum dad parents parent son daughter kids children child cousin
    aunt uncle niece nephew grandma grandmother grandpa grandfather friend friends colleague
    colleagues coworker coworkers boss neighbour neighbor neighbours neighbors roommate
    flatmate housemate buddy teammate teammates team family
    """.split()
)

_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll)\b|\b(?:me|myself)\b", re.I)
_ME = re.compile(r"\b(?:me|myself)\b", re.I)
# "my" and the words of its noun phrase: a relation may follow up to two describing words
# ("my best friend", "my school friend", "my twin sister"); a function word ends the
# phrase ("my trip with friends" is the user's trip).
_OWN = re.compile(r"\b(?:my|our)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})", re.I)
_PHRASE_END = frozenset(
    "a an the and or but with to of for from in on at by about after before than that who "
    "which is are was were has have had will would can could".split()
)
# "I would like to mention that my sister ...", "before I forget, my manager ...": the
# user only reports what follows, so the relation stays the subject.
_REPORTING = re.compile(
    r"\b(?:mention|say|said|think|thought|guess|forget|forgot|know|knew|believe|hear|heard|"
    r"tell|told|note|noticed|remember|feel|wonder|suppose|realised|realized|found out)\b",
    re.I,
)
_THIRD_PERSON = re.compile(r"\b(?:he|she|his|her|him|hers|they|their|them)\b", re.I)
_ALONE_I = re.compile(r"\bI\b|\bI['’](?:m|ve|d|ll)\b")

# "before" asks about an earlier state only when something follows it ("before I moved");
# "Sorry if I asked before, but ..." and "Did I tell you before?" ask nothing of the kind.
_FIRST_WORDS = re.compile(
    r"\b(?:before(?!\s*(?:[,;:.!?]|$))|originally|original|initially|first|previous|"
    r"previously|former|formerly|used to|at first|back then|back when|earlier)\b",
    re.I,
)
_BEFORE = re.compile(r"\b(?:before|prior to)\s+([^,;:.!?]+)", re.I)
_PREVIOUS = re.compile(r"\b(?:previous|previously|former|formerly)\b", re.I)
#: Words that say *when* a question asks about, not *what*: "my pet now", "at the moment".
MOMENT_WORDS = frozenset(
    "now currently current moment nowadays presently anymore previous previously former "
    "formerly originally initially".split()
)
_PAST = re.compile(r"\b(?:did|was|were|had|ago|last|used)\b", re.I)
# Words with which people say that something changed: "now", "these days", "switched".
CHANGE_CUES = re.compile(
    r"\b(?:now|these days|nowadays|currently|anymore|any more|no longer|switched|changed|"
    r"moved|replaced|instead|new|newly|back to|since|from now on|upgraded|raised|lowered|"
    r"started|began|left|quit|stopped|rescheduled|postponed|brought forward|rebooked|re-booked|"
    r"cancelled|canceled|traded|swapped|sold|promoted|reassigned|relocated|renamed|took up|"
    r"gave up|took over|correction|actually|as of|from today|used to)\b",
    re.I,
)


def _mentions(question: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", question, re.I) is not None


def _relation(phrase: str) -> str | None:
    """Return the relation a noun phrase after "my" names, if any ("school friend")."""
    for word in phrase.lower().split():
        if word in RELATIONS:
            return word
        if word in _PHRASE_END:
            return None
    return None


def sentence_subject(sentence: str, question: str = "") -> Subject:
    """Return whose fact `sentence` states (see the module doc).

    A relation the question itself asks about ("who is my manager?") does not make a
    sentence about that person someone else's fact.
    """
    own = _OWN.search(sentence)
    speaker = _ALONE_I.search(sentence)
    relation = _relation(own.group(1)) if own is not None else None
    if own is not None and relation is not None:
        # "my husband Tomasz works ..." unless the user is its object ("my doctor put me on").
        before_relation = (
            speaker is not None
            and speaker.start() < own.start()
            and not _REPORTING.search(sentence, speaker.end(), own.start())
        )
        if _mentions(question, relation) or _ME.search(sentence) or before_relation:
            return "self"
        return "other"
    if _FIRST_PERSON.search(sentence) or own is not None:
        return "self"
    if _THIRD_PERSON.search(sentence):
        return "other"
    return "unknown"


def subject_key(sentence: str) -> str | None:
    """Return whose fact `sentence` states as a key: "self", "my <relation>", "other" or None.

    Two sentences with the same "self" or "my <relation>" key are about the same person: the
    user, or the same relation of the user ("my sister"). "other" is someone else not named
    by a relation ("he", "Omar"); None is no one in particular ("The lease ends in May.").
    """
    subject = sentence_subject(sentence)
    if subject == "self":
        return "self"
    if subject == "other":
        own = _OWN.search(sentence)
        relation = _relation(own.group(1)) if own is not None else None
        return f"my {relation}" if relation is not None else "other"
    return None


def announces_change(sentence: str) -> bool:
    """Return whether `sentence` says that something changed ("I now live in Dundee")."""
    return CHANGE_CUES.search(sentence) is not None


def question_moment(question: str) -> Moment:
    """Return which moment `question` asks about (see the module doc)."""
    if _FIRST_WORDS.search(question):
        return "past-first"
    if _PAST.search(question):
        return "past"
    return "present"


def question_anchor(question: str) -> str | None:
    """Return what a question about an earlier state is anchored on (see the module doc)."""
    found = _BEFORE.search(question)
    if found is not None:
        return found.group(1).strip()
    return "" if _PREVIOUS.search(question) else None

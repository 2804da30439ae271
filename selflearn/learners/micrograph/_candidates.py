"""Candidate next topics of three kinds, from the user's memories, with their base scores.

Which kind a memory offers is read from its words, without a model: an emotional anchor
names a feeling, a Zeigarnik thread names something unfinished, anything else is a semantic
neighbour of the topic. Base scores lie in [0, 1] so the kinds compete on one scale.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from selflearn.learners.micrograph import _formulas as f
from selflearn.learners.micrograph._queries import parse_vector

SEMANTIC, EMOTIONAL, ZEIGARNIK = "semantic", "emotional", "zeigarnik"
KINDS: tuple[str, ...] = (SEMANTIC, EMOTIONAL, ZEIGARNIK)

_EMOTION = re.compile(
    r"\b(love[sd]?|loving|hate[sd]?|afraid|scared|fear|proud|excit\w*|thrill\w*|miss(?:ed)?|"
    r"angry|upset|sad|happ(?:y|iest)|joy|worr\w*|anxious|nervous|grateful|moved|cried|"
    r"adore[sd]?|passion\w*|heartbroken|delight\w*)\b",
    re.IGNORECASE,
)
_UNFINISHED = re.compile(
    r"\b(not yet|haven't|have not|still|someday|one day|plan(?:s|ning)? to|going to|"
    r"want(?:s|ed)? to|hope to|unfinished|half[- ]done|never finished|meaning to|"
    r"someday|pending|in progress|halfway)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """One possible next topic and how the engine scored it."""

    memory_id: uuid.UUID
    text: str
    embedding_text: str
    kind: str
    base: float
    similarity: float
    past_weight: float | None
    score: float

    @cached_property
    def embedding(self) -> np.ndarray:
        """Return the memory's embedding (parsed when first asked for)."""
        return parse_vector(self.embedding_text)


def classify(text: str) -> tuple[str, float]:
    """Return the kind a memory offers as a next topic and its base score in [0, 1]."""
    emotional = len(_EMOTION.findall(text))
    unfinished = len(_UNFINISHED.findall(text))
    if emotional and emotional >= unfinished:
        return EMOTIONAL, min(1.0, 0.4 + 0.2 * emotional)
    if unfinished:
        return ZEIGARNIK, min(1.0, 0.4 + 0.2 * unfinished)
    return SEMANTIC, -1.0  # scored by its similarity to the topic


def score_candidate(
    *,
    memory_id: uuid.UUID,
    text: str,
    embedding_text: str,
    similarity: float,
    past_weight: float | None,
    anti_loop_similarity: float,
    anti_loop_factor: float,
    boost: float,
    penalty: float,
    learning: bool,
) -> Candidate:
    """Return a scored candidate: base score, anti-looping, then the micrograph modifier."""
    kind, base = classify(text)
    if kind == SEMANTIC:
        base = max(0.0, similarity)
    score = f.anti_loop(base, similarity, threshold=anti_loop_similarity, factor=anti_loop_factor)
    if learning:
        score *= f.micrograph_modifier(past_weight, boost=boost, penalty=penalty)
    return Candidate(memory_id, text, embedding_text, kind, base, similarity, past_weight, score)


def choose(candidates: list[Candidate]) -> Candidate | None:
    """Return the best-scoring candidate; ties go to the earlier (nearer) one."""
    best: Candidate | None = None
    for candidate in candidates:
        if best is None or candidate.score > best.score:
            best = candidate
    return best

"""The topic tracker: each user's current topic, its TEC and the transition awaiting a verdict."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from selflearn.learners.micrograph._formulas import response_density
from selflearn.learners.micrograph._tec import is_exhausted, message_engagement, next_tec


@dataclass(frozen=True)
class PendingTransition:
    """A jump the engine made, judged by the user's next message (seed 001, step 1)."""

    source: np.ndarray
    target: np.ndarray
    transition_type: str
    agent_intent: str


@dataclass
class TopicState:
    """One user's topic: its embedding, TEC, user messages on it, and the pending jump."""

    embedding: np.ndarray | None = None
    tec: float | None = None
    turns: int = 0
    pending: PendingTransition | None = None


@dataclass(frozen=True)
class Observation:
    """What one user message did to the topic."""

    similarity: float
    density: float
    tec: float
    exhausted: bool


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Return the cosine similarity of two vectors (0 when either is all zeros)."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b)) / norm if norm > 0 else 0.0


def word_count(message: str) -> int:
    """Return the number of whitespace-separated words of a message."""
    return len(message.split())


class TopicTracker:
    """Keep each user's topic state; the least recently seen users are forgotten first."""

    def __init__(self, *, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._states: OrderedDict[str, TopicState] = OrderedDict()

    def state(self, user_id: str) -> TopicState:
        """Return the user's state (a new one for a user not seen or forgotten)."""
        state = self._states.pop(user_id, None) or TopicState()
        self._states[user_id] = state
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)
        return state

    def forget(self, user_id: str) -> None:
        """Drop everything tracked about a user (they opted out of profiling)."""
        self._states.pop(user_id, None)

    def observe(
        self, state: TopicState, vector: np.ndarray, words: int, *, exhaustion_tec: float
    ) -> Observation:
        """Fold one user message into the topic; the first message opens the first topic.

        The first message of a user-opened topic is the topic itself (similarity 1); after a
        jump the topic is the target the assistant chose, so the reply is measured against it.
        """
        if state.embedding is None:
            state.embedding = vector
        similarity = cosine(vector, state.embedding)
        engagement = message_engagement(similarity, words)
        state.tec = next_tec(state.tec, engagement)
        state.turns += 1
        exhausted = is_exhausted(state.tec, state.turns, threshold=exhaustion_tec)
        return Observation(similarity, response_density(words), state.tec, exhausted)

    def jump(self, state: TopicState, target: np.ndarray, pending: PendingTransition) -> None:
        """Make `target` the topic and remember the jump until the user answers it."""
        state.embedding, state.tec, state.turns, state.pending = target, None, 0, pending

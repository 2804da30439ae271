"""TEC, the topic engagement coefficient: how engaged the user still is with the topic.

Seed 004 names its two sources and no formula; this is the exact definition we build
(docs/micrograph.md derives it):

- prediction error PE = 1 − max(0, cos(message, topic)): the tracker predicts that the user
  stays on the current topic; a message far from it is a surprise (PE near 1);
- response density d = min(words / 50, 1);
- the message's engagement e = (1 − PE + d) / 2;
- TEC = e on a topic's first user message, then TEC ← 0.5 × TEC + 0.5 × e.

A topic is exhausted when it has had at least two user messages and TEC fell below the
exhaustion threshold (0.3 by default).
"""

from __future__ import annotations

from selflearn.learners.micrograph._formulas import response_density

#: Weight of the previous TEC when a new message arrives.
TEC_MEMORY = 0.5
#: TEC below which a topic that had `MIN_TOPIC_TURNS` user messages is exhausted.
EXHAUSTION_TEC = 0.3
MIN_TOPIC_TURNS = 2


def prediction_error(similarity: float) -> float:
    """Return 1 − max(0, similarity), clipped to [0, 1]."""
    return min(1.0, max(0.0, 1.0 - max(0.0, similarity)))


def message_engagement(similarity: float, words: int) -> float:
    """Return (1 − PE + density) / 2 for one user message."""
    return (1.0 - prediction_error(similarity) + response_density(words)) / 2.0


def next_tec(previous: float | None, engagement: float, *, memory: float = TEC_MEMORY) -> float:
    """Return the TEC after one more message: the engagement itself on a new topic."""
    if previous is None:
        return engagement
    return memory * previous + (1.0 - memory) * engagement


def is_exhausted(
    tec: float,
    topic_turns: int,
    *,
    threshold: float = EXHAUSTION_TEC,
    min_turns: int = MIN_TOPIC_TURNS,
) -> bool:
    """Return whether a topic is spent: enough user messages and TEC under the threshold."""
    return topic_turns >= min_turns and tec < threshold

"""The engagement world: simulated users whose tastes the micrograph cannot see.

Each user (one seed each) talks about a few topics of `TOPICS` and has memories of three
kinds about them. Hidden from the learner: how much they like each kind of jump
(`kind_taste`) and each topic (`topic_taste`). What the learner sees is only their replies,
whose length and on-topic words follow those tastes with noise:

- a jump to a memory of kind k about topic τ has appeal `kind_taste[k] × topic_taste[τ]`,
  × 0.3 when τ is the topic just exhausted (looping bores), × 0.6 when τ was one of the
  three topics before it (recently revisited);
- the n-th reply on a topic (n = 0, 1, …) has engagement
  `clip(appeal × 0.7^n × exp(N(0, 0.3²)), 0, 1)`;
- the reply has `round(3 + 57 × engagement)` words, each from the topic (its words and the
  memory's) with probability `engagement`, else filler.

The design (tastes, noise, fatigue, the loop and staleness factors) was fixed before any
on/off comparison was run, and is not tuned to it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from selflearn.simulator.engagement._topics import FILLER, TEMPLATES, TOPICS

KINDS = ("semantic", "emotional", "zeigarnik")
TOPICS_PER_USER = 8
MEMORIES_PER_TOPIC = 3
FATIGUE = 0.7
NOISE_SD = 0.3
LOOP_FACTOR = 0.3
STALE_FACTOR = 0.6
STALE_WINDOW = 3


@dataclass(frozen=True)
class WorldMemory:
    """A memory the user has, with what only the world knows about it."""

    text: str
    topic: str
    kind: str


@dataclass
class WorldUser:
    """One simulated user: memories, hidden tastes, and where the conversation stands."""

    index: int
    memories: tuple[WorldMemory, ...]
    kind_taste: dict[str, float]
    topic_taste: dict[str, float]
    rng: random.Random
    topic: str = ""
    anchor: WorldMemory | None = None
    appeal: float = 1.0
    turns_on_topic: int = 0
    recent: list[str] = field(default_factory=list)

    def opening(self) -> str:
        """Return the user's first message: their favourite topic, in their own words."""
        first = max(self.memories, key=lambda m: (self.topic_taste[m.topic], m.text))
        self.topic, self.anchor, self.appeal = first.topic, first, self.topic_taste[first.topic]
        self.turns_on_topic = 0
        return first.text

    def follow(self, memory_text: str | None) -> tuple[str, bool]:
        """Answer the assistant: a jump to a memory (its text), or None to stay on topic.

        Return the reply and whether the jump looped back to the topic just left.
        """
        looped = False
        if memory_text is not None:
            memory = next((m for m in self.memories if m.text == memory_text), None)
            if memory is not None:
                looped = memory.topic == self.topic
                appeal = self.kind_taste[memory.kind] * self.topic_taste[memory.topic]
                if looped:
                    appeal *= LOOP_FACTOR
                elif memory.topic in self.recent[-STALE_WINDOW:]:
                    appeal *= STALE_FACTOR
                self.recent.append(self.topic)
                self.topic, self.anchor, self.appeal = memory.topic, memory, appeal
                self.turns_on_topic = 0
        return self._reply(), looped

    def _reply(self) -> str:
        noise = math.exp(self.rng.gauss(0.0, NOISE_SD))
        engagement = min(1.0, max(0.0, self.appeal * FATIGUE**self.turns_on_topic * noise))
        self.turns_on_topic += 1
        count = round(3 + 57 * engagement)
        vocabulary = list(TOPICS[self.topic])
        if self.anchor is not None:
            vocabulary += [w.strip(",.").lower() for w in self.anchor.text.split() if len(w) > 3]
        return " ".join(
            self.rng.choice(vocabulary)
            if self.rng.random() < engagement
            else self.rng.choice(FILLER)
            for _ in range(count)
        )


def make_user(seed: int, index: int) -> WorldUser:
    """Return user `index` of the world of `seed` (the same seed, the same user)."""
    rng = random.Random(f"engagement-world/{seed}/{index}")
    topics = rng.sample(sorted(TOPICS), TOPICS_PER_USER)
    memories = []
    for topic in topics:
        words = TOPICS[topic]
        for _ in range(MEMORIES_PER_TOPIC):
            kind = rng.choice(KINDS)
            a, b, c, d = rng.sample(words[1:], 4)
            text = rng.choice(TEMPLATES[kind]).format(t=words[0], a=a, b=b, c=c, d=d)
            memories.append(WorldMemory(text, topic, kind))
    unique = tuple({m.text: m for m in memories}.values())
    return WorldUser(
        index=index,
        memories=unique,
        kind_taste={k: rng.uniform(0.1, 1.0) for k in KINDS},
        topic_taste={t: rng.uniform(0.1, 1.0) for t in topics},
        rng=random.Random(f"engagement-replies/{seed}/{index}"),
    )

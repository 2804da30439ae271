"""The bifurcation engine: track the topic, close the pending jump, pick the next topic.

One call per user message (`Micrograph.step`). No model is called: the verdict on a jump
comes from the user's reply alone (TEC and density), and at most one similarity statement
runs per message: the upsert that closes a pending jump (the first message on a new topic)
or the candidate search (an exhausted topic, which needs at least two messages), never both.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine

from selflearn.learners.micrograph._candidates import Candidate, choose, score_candidate
from selflearn.learners.micrograph._config import MicrographConfig
from selflearn.learners.micrograph._formulas import transition_success
from selflearn.learners.micrograph._queries import candidate_pool, upsert_transition
from selflearn.learners.micrograph._tracker import PendingTransition, TopicTracker, word_count
from selflearn.providers import Embedder
from selflearn.store import session_scope

#: Agent intents the micrograph keeps separate graphs for; `casual_chat` is the default.
INTENTS: tuple[str, ...] = ("casual_chat", "support", "tutoring", "coaching", "sales")
DEFAULT_INTENT = "casual_chat"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MicrographStep:
    """What the micrograph did on one user message (the learner's telemetry).

    `skipped` says why the learner did nothing (bad input or an opted-out user): the turn
    still answers, without a directive.
    """

    user_id: str
    agent_intent: str
    tec: float | None = None
    similarity: float | None = None
    density: float | None = None
    exhausted: bool = False
    success: float | None = None
    learned_weight: float | None = None
    chosen: Candidate | None = None
    candidates: int = 0
    similarity_queries: int = 0
    skipped: str | None = None
    latency_ms: float = 0.0

    @property
    def directive(self) -> str | None:
        """Return the instruction to the responder when the engine chose a new topic."""
        return directive_for(self.chosen) if self.chosen is not None else None


def directive_for(candidate: Candidate) -> str:
    """Return the responder's directive for a chosen topic."""
    return f"Steer to a new topic ({candidate.kind}): {candidate.text}"


def check_vector(vector: np.ndarray | None, dimension: int) -> str | None:
    """Return why an embedding cannot be used, or None when it can."""
    if vector is None:
        return "missing_embedding"
    array = np.asarray(vector, dtype=np.float64)
    if array.ndim != 1 or array.shape[0] != dimension:
        return "wrong_dimension"
    if not np.all(np.isfinite(array)) or not np.any(array):
        return "missing_embedding"
    return None


class Micrograph:
    """Run the topic tracker and the bifurcation engine for every user of one process."""

    def __init__(
        self,
        engine: Engine,
        *,
        embedder: Embedder,
        clock: Callable[[], datetime] = _wall_clock,
        tracker: TopicTracker | None = None,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.clock = clock
        self.tracker = tracker or TopicTracker()

    def step(
        self,
        user_id: str,
        message: str,
        *,
        config: MicrographConfig,
        intent: str | None = None,
        opted_out: bool = False,
        vector: np.ndarray | None = None,
        now: datetime | None = None,
    ) -> MicrographStep:
        """Observe one user message; close the pending jump; pick a topic when exhausted.

        `vector` is the message's embedding when the caller has it (else it is embedded
        here). Bad input skips the learner and says why: an unknown intent, a user who opted
        out of profiling (their state is forgotten), a missing or wrong-dimension embedding.
        """
        started = time.perf_counter()
        intent = DEFAULT_INTENT if intent is None else intent
        skipped = self._refusal(user_id, intent, opted_out)
        if skipped is None:
            if vector is None and message.strip():
                vector = self.embedder.embed([message])[0]
            skipped = check_vector(vector, self.embedder.dimension)
            if skipped is not None:
                # The reply cannot be measured: the jump it answers stays unjudged.
                self.tracker.state(user_id).pending = None
        if skipped is not None or vector is None:
            return MicrographStep(user_id, intent, skipped=skipped, latency_ms=_ms(started))
        return self._observe(user_id, message, np.asarray(vector), intent, config, now, started)

    def _refusal(self, user_id: str, intent: str, opted_out: bool) -> str | None:
        if opted_out:
            self.tracker.forget(user_id)
            return "profiling_opt_out"
        if intent not in INTENTS:
            return "unknown_intent"
        return None

    def _observe(
        self,
        user_id: str,
        message: str,
        vector: np.ndarray,
        intent: str,
        config: MicrographConfig,
        now: datetime | None,
        started: float,
    ) -> MicrographStep:
        moment = now or self.clock()
        state = self.tracker.state(user_id)
        seen = self.tracker.observe(
            state, vector, word_count(message), exhaustion_tec=config.exhaustion_tec
        )
        success = weight = None
        queries, candidates, chosen = 0, 0, None
        if state.pending is not None:
            pending, state.pending = state.pending, None
            success = transition_success(seen.tec, seen.density)
            if config.learning and pending.agent_intent == intent:
                with session_scope(self.engine) as session:
                    stored = upsert_transition(
                        session,
                        user_id=user_id,
                        source=pending.source,
                        target=pending.target,
                        transition_type=pending.transition_type,
                        intent=intent,
                        success=success,
                        rate=config.ema_rate,
                        within=config.upsert_distance,
                        now=moment,
                    )
                weight, queries = stored.success_weight, queries + 1
        if seen.exhausted and state.embedding is not None:
            topic = state.embedding
            with session_scope(self.engine) as session:
                pool = candidate_pool(
                    session,
                    user_id=user_id,
                    topic=topic,
                    intent=intent,
                    pool=config.pool,
                    match_distance=config.match_distance,
                    learning=config.learning,
                )
            queries += 1
            scored = [
                score_candidate(
                    memory_id=row.id,
                    text=row.text,
                    embedding_text=row.embedding_text,
                    similarity=row.similarity,
                    past_weight=row.past_weight,
                    anti_loop_similarity=config.anti_loop_similarity,
                    anti_loop_factor=config.anti_loop_factor,
                    boost=config.boost,
                    penalty=config.penalty,
                    learning=config.learning,
                )
                for row in pool
            ]
            candidates, chosen = len(scored), choose(scored)
            if chosen is not None:
                pending = PendingTransition(topic, chosen.embedding, chosen.kind, intent)
                self.tracker.jump(state, chosen.embedding, pending)
        return MicrographStep(
            user_id,
            intent,
            tec=seen.tec,
            similarity=seen.similarity,
            density=seen.density,
            exhausted=seen.exhausted,
            success=success,
            learned_weight=weight,
            chosen=chosen,
            candidates=candidates,
            similarity_queries=queries,
            latency_ms=_ms(started),
            skipped="no_candidates" if seen.exhausted and chosen is None else None,
        )


def _ms(started: float) -> float:
    value = (time.perf_counter() - started) * 1000
    return value if math.isfinite(value) else 0.0

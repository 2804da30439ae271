"""The bifurcation micrograph (SPEC §9): topic transitions that learn from engagement.

A topic tracker keeps each user's topic and TEC; when the topic is exhausted the
bifurcation engine scores candidate next topics from the user's memories (semantic,
emotional, Zeigarnik), penalises loops back to the topic, and weighs each candidate by how
similar past jumps went (`topic_transitions`); the user's next reply grades the jump.
"""

from selflearn.learners.micrograph._candidates import (
    EMOTIONAL,
    KINDS,
    SEMANTIC,
    ZEIGARNIK,
    Candidate,
    classify,
    score_candidate,
)
from selflearn.learners.micrograph._config import MICROGRAPH_FACTORS, MicrographConfig
from selflearn.learners.micrograph._engine import (
    DEFAULT_INTENT,
    INTENTS,
    Micrograph,
    MicrographStep,
    check_vector,
    directive_for,
)
from selflearn.learners.micrograph._formulas import (
    ANTI_LOOP_FACTOR,
    ANTI_LOOP_SIMILARITY,
    BOOST,
    BOOST_ABOVE,
    EMA_RATE,
    MATCH_DISTANCE,
    PENALTY,
    PENALTY_BELOW,
    UPSERT_DISTANCE,
    anti_loop,
    ema_weight,
    matches,
    micrograph_modifier,
    response_density,
    same_transition,
    transition_success,
)
from selflearn.learners.micrograph._queries import (
    RECENT_MEMORIES,
    PoolRow,
    StoredTransition,
    candidate_pool,
    upsert_transition,
)
from selflearn.learners.micrograph._tec import (
    EXHAUSTION_TEC,
    is_exhausted,
    message_engagement,
    next_tec,
    prediction_error,
)
from selflearn.learners.micrograph._tracker import (
    Observation,
    PendingTransition,
    TopicState,
    TopicTracker,
    cosine,
    word_count,
)

__all__ = [
    "ANTI_LOOP_FACTOR",
    "ANTI_LOOP_SIMILARITY",
    "BOOST",
    "BOOST_ABOVE",
    "DEFAULT_INTENT",
    "EMA_RATE",
    "EMOTIONAL",
    "EXHAUSTION_TEC",
    "INTENTS",
    "KINDS",
    "MATCH_DISTANCE",
    "MICROGRAPH_FACTORS",
    "PENALTY",
    "PENALTY_BELOW",
    "RECENT_MEMORIES",
    "SEMANTIC",
    "UPSERT_DISTANCE",
    "ZEIGARNIK",
    "Candidate",
    "Micrograph",
    "MicrographConfig",
    "MicrographStep",
    "Observation",
    "PendingTransition",
    "PoolRow",
    "StoredTransition",
    "TopicState",
    "TopicTracker",
    "anti_loop",
    "candidate_pool",
    "check_vector",
    "classify",
    "cosine",
    "directive_for",
    "ema_weight",
    "is_exhausted",
    "matches",
    "message_engagement",
    "micrograph_modifier",
    "next_tec",
    "prediction_error",
    "response_density",
    "same_transition",
    "score_candidate",
    "transition_success",
    "upsert_transition",
    "word_count",
]

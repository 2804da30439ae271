"""The seed formulas of the bifurcation micrograph (SPEC §9), as plain functions.

Every threshold and multiplier is an argument with the seed's value as its default, so the
parameter space can move them and the tests can check each formula at its boundaries.
"""

from __future__ import annotations

#: Cosine similarity to the current topic above which a candidate counts as the same topic.
ANTI_LOOP_SIMILARITY = 0.65
#: What a candidate that loops back to the current topic keeps of its score.
ANTI_LOOP_FACTOR = 0.1
#: Cosine distance within which a past transition's source and target match a new one.
MATCH_DISTANCE = 0.15
#: Cosine distance within which an observed transition updates a stored row.
UPSERT_DISTANCE = 0.1
#: Success weight above which a past transition boosts a candidate, and by how much.
BOOST_ABOVE, BOOST = 0.6, 1.5
#: Success weight below which a past transition penalises a candidate, and by how much.
PENALTY_BELOW, PENALTY = 0.4, 0.5
#: Share of a new observation in the exponential moving average of a transition's weight.
EMA_RATE = 0.3
#: Words at which a reply counts as fully dense.
DENSITY_WORDS = 50


def response_density(words: int, *, full_at: int = DENSITY_WORDS) -> float:
    """Return min(words / 50, 1): how much of a full reply the user wrote."""
    if words < 0:
        raise ValueError(f"a reply cannot have {words} words")
    return min(words / full_at, 1.0)


def transition_success(tec: float, density: float) -> float:
    """Return min(1, TEC × (0.5 + response_density)) (seed 001's later form)."""
    return min(1.0, tec * (0.5 + density))


def anti_loop(
    score: float,
    similarity: float,
    *,
    threshold: float = ANTI_LOOP_SIMILARITY,
    factor: float = ANTI_LOOP_FACTOR,
) -> float:
    """Return the score, × 0.1 when the candidate's similarity to the topic is above 0.65."""
    return score * factor if similarity > threshold else score


def micrograph_modifier(
    weight: float | None,
    *,
    boost_above: float = BOOST_ABOVE,
    boost: float = BOOST,
    penalty_below: float = PENALTY_BELOW,
    penalty: float = PENALTY,
) -> float:
    """Return 1.5 for a past success weight above 0.6, 0.5 below 0.4, else (or none) 1.0."""
    if weight is None:
        return 1.0
    if weight > boost_above:
        return boost
    if weight < penalty_below:
        return penalty
    return 1.0


def matches(
    source_distance: float, target_distance: float, *, within: float = MATCH_DISTANCE
) -> bool:
    """Return whether a past transition matches: source and target each closer than 0.15."""
    return source_distance < within and target_distance < within


def same_transition(
    source_distance: float, target_distance: float, *, within: float = UPSERT_DISTANCE
) -> bool:
    """Return whether an observed transition updates a stored row (both distances < 0.1)."""
    return source_distance < within and target_distance < within


def ema_weight(old: float | None, success: float, *, rate: float = EMA_RATE) -> float:
    """Return old × 0.7 + success × 0.3, or the success itself for a new row."""
    if old is None:
        return success
    return old * (1.0 - rate) + success * rate

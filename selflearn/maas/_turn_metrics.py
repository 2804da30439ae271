"""Per-turn quality signals for telemetry: hit, memory age, tag overlap."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from selflearn.maas._retrieval import Candidate
from selflearn.providers import light_stem

__all__ = ["avg_age_days", "hit", "tag_overlap"]


def hit(
    retrieved: Sequence[Candidate], in_context: int, relevant_turn_ids: Collection[str] | None
) -> tuple[float, bool | None]:
    """Return (hit_rate, retrieval_relevant) of one turn.

    With ground truth (`relevant_turn_ids`, e.g. a probe's expected turns) a hit is at least
    one retrieved memory coming from a relevant turn. Without it, the hit rate says whether
    any memory passed `min_relevance` into the context, and relevance stays unknown.
    """
    if relevant_turn_ids is None:
        return (1.0 if in_context else 0.0), None
    wanted = set(relevant_turn_ids)
    found = any(wanted & set(c.source_turn_ids) for c in retrieved)
    return (1.0 if found else 0.0), found


def avg_age_days(memories: Sequence[Candidate], now: datetime) -> float | None:
    """Return the mean age in days of `memories` at `now` (None when there are none)."""
    if not memories:
        return None
    ages = [max(0.0, (now - m.occurred_at).total_seconds() / 86400.0) for m in memories]
    return sum(ages) / len(ages)


def tag_overlap(keywords: Sequence[str], memories: Sequence[Candidate]) -> float | None:
    """Return the mean Jaccard overlap between the query's keyword stems and each memory's tags."""
    query = {light_stem(k.lower()) for k in keywords}
    if not query or not memories:
        return None
    scores = []
    for memory in memories:
        tags = {light_stem(t.lower()) for t in memory.tags}
        union = query | tags
        scores.append(len(query & tags) / len(union) if union else 0.0)
    return sum(scores) / len(scores)

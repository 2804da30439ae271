"""What the Manager can talk about: metrics, impact factors, scopes and their plain names."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

from selflearn.agents.metrics import (
    BY_NAME,
    GOAL_METRICS,
    GoalMetricName,
    Metric,
    canonical_metric,
)
from selflearn.space import REGISTRY


def _one_name(value: object) -> object:
    # Goals stored or proposed with an alias ("tokens_per_turn") load under the one name.
    if isinstance(value, str):
        try:
            return canonical_metric(value)
        except ValueError:
            return value  # the Literal check then says which names are allowed
    return value


#: The metrics an owner can name, from the one table (`selflearn.agents.metrics`).
MetricName = Annotated[GoalMetricName, BeforeValidator(_one_name)]
METRICS: dict[str, Metric] = {name: BY_NAME[name] for name in GOAL_METRICS}


# Impact factors that can move each metric: the default experiment space of a goal.
METRIC_FACTORS: dict[str, tuple[str, ...]] = {
    "hallucination_rate": (
        "retrieval.min_relevance",
        "responder.abstain_policy",
        "responder.fact_scope",
        "responder.conflict_policy",
        "responder.system_prompt_version",
        "responder.temperature",
        "retrieval.top_k",
        "retrieval.recency_weight",
    ),
    "recall": (
        "retrieval.top_k",
        "retrieval.keyword_count",
        "retrieval.relevance_weight",
        "retrieval.min_relevance",
        "retrieval.recency_weight",
    ),
    "precision": (
        "retrieval.top_k",
        "retrieval.min_relevance",
        "retrieval.relevance_weight",
        "retrieval.keyword_count",
    ),
    "hit_rate": (
        "retrieval.top_k",
        "retrieval.keyword_count",
        "retrieval.relevance_weight",
        "retrieval.recency_weight",
    ),
    "answer_f1": (
        "responder.answer_style",
        "responder.conflict_policy",
        "responder.fact_scope",
        "responder.system_prompt_version",
        "responder.temperature",
        "retrieval.top_k",
        "context.max_tokens",
    ),
    "abstention_rate": (
        "retrieval.min_relevance",
        "responder.abstain_policy",
        "responder.system_prompt_version",
        "retrieval.top_k",
    ),
    "context_utilisation": (
        "retrieval.top_k",
        "retrieval.min_relevance",
        "context.max_tokens",
        "retrieval.relevance_weight",
    ),
    "latency_ms_p95": ("retrieval.top_k", "context.max_tokens", "retrieval.keyword_count"),
    "tokens_per_probe": ("context.max_tokens", "retrieval.top_k"),
    "cost_per_probe_usd": ("context.max_tokens", "retrieval.top_k"),
    "error_rate": ("context.max_tokens", "retrieval.top_k"),
    "engagement": (
        "micrograph.enabled",
        "micrograph.anti_loop_similarity",
        "micrograph.boost",
        "micrograph.penalty",
        "micrograph.ema_rate",
        "micrograph.exhaustion_tec",
    ),
}

FACTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "retrieval.top_k": ("top_k", "top k", "top-k", "number of memories"),
    "retrieval.relevance_weight": ("relevance_weight", "relevance weight", "dense weight"),
    "retrieval.recency_weight": ("recency_weight", "recency weight", "recency"),
    "retrieval.recency_half_life_days": (
        "recency_half_life_days",
        "recency half-life",
        "recency half life",
        "half-life",
        "half life",
    ),
    "retrieval.keyword_count": ("keyword_count", "keyword count", "keywords"),
    "retrieval.min_relevance": (
        "min_relevance",
        "min relevance",
        "minimum relevance",
        "relevance threshold",
    ),
    "context.max_tokens": ("max_tokens", "max tokens", "context budget", "context size"),
    "responder.temperature": ("temperature",),
    "responder.system_prompt_version": (
        "system_prompt_version",
        "system prompt",
        "prompts",
        "prompt",
    ),
    "responder.model": ("responder model", "the model", "model"),
    "responder.answer_style": ("answer_style", "answer style", "answer format"),
    "responder.conflict_policy": (
        "conflict_policy",
        "conflict policy",
        "conflicting memories",
        "latest wins",
    ),
    "responder.fact_scope": ("fact_scope", "fact scope", "whose facts", "own facts"),
    "responder.abstain_policy": (
        "abstain_policy",
        "abstain policy",
        "abstention policy",
        "when to abstain",
    ),
    "micrograph.enabled": ("micrograph", "bifurcation micrograph", "topic transitions"),
    "micrograph.learning": ("micrograph learning", "transition learning"),
    "micrograph.anti_loop_similarity": ("anti-loop threshold", "anti_loop_similarity"),
    "micrograph.anti_loop_factor": ("anti-looping", "anti-loop penalty", "anti_loop_factor"),
    "micrograph.match_distance": ("match distance", "match_distance"),
    "micrograph.boost": ("transition boost",),
    "micrograph.penalty": ("transition penalty",),
    "micrograph.ema_rate": ("ema rate", "ema_rate", "learning rate"),
    "micrograph.exhaustion_tec": ("exhaustion threshold", "exhaustion_tec", "exhaustion"),
}

# Scope phrases -> scenario tags. Scenario files carry these tags (scenarios/README.md).
SCOPES: dict[str, tuple[str, ...]] = {
    "personal memory": ("personal",),
    "personal facts": ("personal",),
    "personal": ("personal",),
    "work": ("work",),
    "work memory": ("work",),
    "projects": ("work",),
    "preferences": ("preferences",),
    "temporal": ("temporal",),
    "changing facts": ("temporal",),
    "updates": ("temporal",),
    "multi-user": ("multi-user",),
    "multi user": ("multi-user",),
    "isolation": ("multi-user",),
    "long conversations": ("long",),
    "long dialogues": ("long",),
    "adversarial questions": ("adversarial",),
    "adversarial": ("adversarial",),
}


def _alternation(names: list[str]) -> str:
    # Longest first, so "cost per turn" wins over "cost".
    ordered = sorted(set(names), key=len, reverse=True)
    return "|".join(re.escape(name) for name in ordered)


_METRIC_BY_ALIAS = {alias: info.name for info in METRICS.values() for alias in info.aliases}
_FACTOR_BY_ALIAS = {alias: name for name, aliases in FACTOR_ALIASES.items() for alias in aliases}
_FACTOR_BY_ALIAS.update({name: name for name in REGISTRY})
METRIC_PATTERN = re.compile(rf"(?<![\w.])(?:{_alternation(list(_METRIC_BY_ALIAS))})(?![\w])")
FACTOR_PATTERN = re.compile(rf"(?<![\w.])(?:{_alternation(list(_FACTOR_BY_ALIAS))})(?![\w])")
SCOPE_PATTERN = re.compile(rf"(?:{_alternation(list(SCOPES))})")


def metric_named(alias: str) -> str:
    """Return the metric a (lower-case) alias names."""
    return _METRIC_BY_ALIAS[alias]


def factor_named(alias: str) -> str:
    """Return the dotted factor name an alias names."""
    return _FACTOR_BY_ALIAS[alias]


def resolve_factor(name: str) -> str:
    """Return the dotted name of a factor given in full, by alias or by its last part."""
    key = name.strip().lower()
    if key in _FACTOR_BY_ALIAS:
        return _FACTOR_BY_ALIAS[key]
    matches = [full for full in REGISTRY if full.split(".", 1)[-1] == key]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"unknown impact factor {name!r}; known: {', '.join(REGISTRY)}")


def find_metrics(text: str) -> list[str]:
    """Return the metrics mentioned in `text`, in order, without repeats."""
    found: list[str] = []
    for match in METRIC_PATTERN.finditer(text):
        name = _METRIC_BY_ALIAS[match.group(0)]
        if name not in found:
            found.append(name)
    return found


def find_factors(text: str) -> list[str]:
    """Return the impact factors mentioned in `text`, in order, without repeats."""
    found: list[str] = []
    for match in FACTOR_PATTERN.finditer(text):
        name = _FACTOR_BY_ALIAS[match.group(0)]
        if name not in found:
            found.append(name)
    return found


def metric_label(name: str) -> str:
    """Return the plain-language name of a metric (the name itself when unknown)."""
    info = METRICS.get(name)
    return info.label if info else name


def vocabulary() -> set[str]:
    """Return every word of a metric, factor or scope name the owner may use."""
    names = [*_METRIC_BY_ALIAS, *_FACTOR_BY_ALIAS, *SCOPES]
    return {word for name in names for word in re.findall(r"[a-z]+", name.lower())}

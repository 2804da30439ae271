"""What the Manager can talk about: metrics, impact factors, scopes and their plain names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from selflearn.space import REGISTRY

MetricName = Literal[
    "recall",
    "precision",
    "hit_rate",
    "answer_f1",
    "hallucination_rate",
    "abstention_rate",
    "context_utilisation",
    "latency_ms_p95",
    "tokens_per_turn",
    "cost_per_turn_usd",
    "error_rate",
]
Unit = Literal["rate", "ms", "tokens", "usd"]


@dataclass(frozen=True)
class MetricInfo:
    """One emulator metric: its unit, which way is better and how people call it."""

    name: str
    unit: Unit
    higher_is_better: bool
    label: str
    aliases: tuple[str, ...]


METRICS: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("recall", "rate", True, "recall", ("retrieval recall", "recall")),
        MetricInfo("precision", "rate", True, "precision", ("retrieval precision", "precision")),
        MetricInfo("hit_rate", "rate", True, "hit rate", ("hit rate", "hit_rate", "hits")),
        MetricInfo(
            "answer_f1",
            "rate",
            True,
            "answer quality (F1)",
            (
                "answer quality",
                "answer accuracy",
                "answer_f1",
                "answer f1",
                "correct answers",
                "correctness",
                "accuracy",
                "quality",
                "f1",
            ),
        ),
        MetricInfo(
            "hallucination_rate",
            "rate",
            False,
            "hallucination rate",
            ("hallucination rate", "hallucination_rate", "hallucinations", "hallucination"),
        ),
        MetricInfo(
            "abstention_rate",
            "rate",
            False,
            "abstention rate",
            ("abstention rate", "abstention_rate", "abstentions", "abstention", "refusals"),
        ),
        MetricInfo(
            "context_utilisation",
            "rate",
            True,
            "context utilisation",
            (
                "context utilisation",
                "context utilization",
                "context_utilisation",
                "context use",
                "use of context",
            ),
        ),
        MetricInfo(
            "latency_ms_p95",
            "ms",
            False,
            "p95 latency",
            (
                "p95 latency",
                "latency p95",
                "latency_ms_p95",
                "response time",
                "latency",
            ),
        ),
        MetricInfo(
            "tokens_per_turn",
            "tokens",
            False,
            "tokens per turn",
            ("tokens per turn", "tokens_per_turn", "token usage", "tokens"),
        ),
        MetricInfo(
            "cost_per_turn_usd",
            "usd",
            False,
            "cost per turn",
            ("cost per turn", "cost_per_turn_usd", "cost_per_turn", "costs", "cost", "spend"),
        ),
        MetricInfo(
            "error_rate", "rate", False, "error rate", ("error rate", "error_rate", "errors")
        ),
    )
}

# Impact factors that can move each metric: the default experiment space of a goal.
METRIC_FACTORS: dict[str, tuple[str, ...]] = {
    "hallucination_rate": (
        "retrieval.min_relevance",
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
        "responder.system_prompt_version",
        "responder.temperature",
        "retrieval.top_k",
        "context.max_tokens",
    ),
    "abstention_rate": (
        "retrieval.min_relevance",
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
    "tokens_per_turn": ("context.max_tokens", "retrieval.top_k"),
    "cost_per_turn_usd": ("context.max_tokens", "retrieval.top_k"),
    "error_rate": ("context.max_tokens", "retrieval.top_k"),
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

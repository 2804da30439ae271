"""The one table of metrics: name, which way is better, unit, and how people call them.

Every role reads it: the Teacher (its SQL aggregate per name, in `teacher.metrics`), the
Manager (goals, aliases, labels), the held-out monitor and the cycles. A metric is a
per-episode aggregate over the episode's probes (a probe is a turn that asks); the owner's
words for it ("tokens per turn") are aliases of the one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "BY_NAME",
    "GOAL_METRICS",
    "HIGHER_IS_BETTER",
    "METRICS",
    "GoalMetricName",
    "Metric",
    "Unit",
    "canonical_metric",
    "get_metric",
]

Unit = Literal["rate", "score", "ms", "tokens", "usd"]

#: The metrics an owner can name in a goal (the Manager's tools take these).
GoalMetricName = Literal[
    "recall",
    "precision",
    "hit_rate",
    "answer_f1",
    "hallucination_rate",
    "abstention_rate",
    "context_utilisation",
    "latency_ms_p95",
    "tokens_per_probe",
    "cost_per_probe_usd",
    "error_rate",
    "engagement",
]


@dataclass(frozen=True)
class Metric:
    """One metric: its direction, unit, plain name, aliases and whether verdicts use it."""

    name: str
    higher_is_better: bool
    unit: Unit
    label: str
    description: str
    aliases: tuple[str, ...] = ()
    # Timing varies from run to run: it is watched against limits by the monitor step, not
    # used in verdicts, so the same seed gives the same verdicts.
    in_verdicts: bool = True

    @property
    def fraction(self) -> bool:
        """Return whether values lie in [0, 1], so owners may say them in per cent."""
        return self.unit in ("rate", "score")


METRICS: tuple[Metric, ...] = (
    Metric(
        "recall",
        True,
        "rate",
        "recall",
        "needed memories retrieved",
        ("retrieval recall", "recall"),
    ),
    Metric(
        "precision",
        True,
        "rate",
        "precision",
        "retrieved memories relevant",
        ("retrieval precision", "precision"),
    ),
    Metric(
        "hit_rate",
        True,
        "rate",
        "hit rate",
        "probes with a relevant memory",
        ("hit rate", "hit_rate", "hits"),
    ),
    Metric("context_precision", True, "rate", "context precision", "Ragas context precision"),
    Metric(
        "answer_correct_rate",
        True,
        "rate",
        "answer-correct rate",
        "answerable probes answered correctly",
    ),
    Metric(
        "answer_f1",
        True,
        "score",
        "answer quality (F1)",
        "token F1 of the answer",
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
    Metric(
        "hallucination_rate",
        False,
        "rate",
        "hallucination rate",
        "answers asserting a forbidden or unsupported claim",
        (
            "hallucination rate",
            "hallucination_rate",
            "hallucinations",
            "hallucination",
            "hallucinating",
            "hallucinate",
        ),
    ),
    Metric(
        "abstention_rate",
        False,
        "rate",
        "abstention rate",
        "answers abstaining",
        (
            "abstention rate",
            "abstention_rate",
            "abstentions",
            "abstention",
            "refusals",
            "i don't know",
        ),
    ),
    Metric(
        "false_abstention_rate",
        False,
        "rate",
        "false-abstention rate",
        "answerable probes the answer abstained on",
    ),
    Metric(
        "context_utilisation",
        True,
        "rate",
        "context utilisation",
        "relevant retrieved memories the answer used",
        (
            "context utilisation",
            "context utilization",
            "context_utilisation",
            "context use",
            "context usage",
            "use of context",
            "use the context",
        ),
    ),
    Metric(
        "latency_ms_p95",
        False,
        "ms",
        "p95 latency",
        "95th percentile of the probe latency within the episode",
        ("p95 latency", "latency p95", "latency_ms_p95", "response time", "latency"),
        in_verdicts=False,
    ),
    Metric(
        "tokens_per_probe",
        False,
        "tokens",
        "tokens per turn",
        "tokens per probe",
        ("tokens per turn", "tokens_per_turn", "tokens_per_probe", "token usage", "tokens"),
    ),
    Metric(
        "cost_per_probe_usd",
        False,
        "usd",
        "cost per turn",
        "cost per probe",
        (
            "cost per turn",
            "cost_per_turn_usd",
            "cost_per_probe_usd",
            "cost_per_turn",
            "costs",
            "cost",
            "spend",
        ),
    ),
    Metric(
        "error_rate",
        False,
        "rate",
        "error rate",
        "probes that failed",
        ("error rate", "error_rate", "errors"),
    ),
    # Measured on every user message the micrograph saw (`micrograph_turns`), not on probes:
    # undefined (None) for episodes played with the micrograph off.
    Metric(
        "engagement",
        True,
        "score",
        "engagement (TEC)",
        "mean topic engagement coefficient of the user's messages",
        ("engagement", "user engagement", "topic engagement", "tec"),
    ),
)

BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}

#: Which way each metric is better.
HIGHER_IS_BETTER: dict[str, bool] = {metric.name: metric.higher_is_better for metric in METRICS}

#: The metrics of `GoalMetricName`, in table order.
GOAL_METRICS: tuple[str, ...] = tuple(
    m.name for m in METRICS if m.name in get_args(GoalMetricName)
)

_BY_ALIAS: dict[str, str] = {alias: m.name for m in METRICS for alias in (m.name, *m.aliases)}


def get_metric(name: str) -> Metric:
    """Return the metric called ``name``, or raise naming the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(BY_NAME)}") from None


def canonical_metric(name: str) -> str:
    """Return the one name of a metric given by its name or an alias (any case)."""
    key = name.strip().lower()
    if key in _BY_ALIAS:
        return _BY_ALIAS[key]
    raise ValueError(f"unknown metric {name!r}; known: {', '.join(BY_NAME)}")

"""The metrics the Teacher evaluates: name, better direction, unit and how SQL computes them.

This table is the one place that knows which way each metric is better. Every metric is a
per-episode aggregate over the episode's rows in `probe_results` (alias ``p``): means of the
score columns, and rates (means of 0/1) for the boolean ones. Probes where a column is NULL
(undefined for that probe, e.g. recall when nothing was needed) are left out of its mean.
Means are summed as `numeric`, exactly: a float sum depends on the order PostgreSQL happens to
read the rows in, and the same campaign must give the same deltas to the last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from selflearn.agents.teacher.stats import MetricRole, MetricSpec

Unit = Literal["rate", "score", "ms", "tokens", "usd"]


@dataclass(frozen=True)
class TeacherMetric:
    """One evaluable metric: its direction, unit and per-episode SQL aggregate."""

    name: str
    higher_is_better: bool
    unit: Unit
    sql: str
    description: str


def _mean(column: str) -> str:
    return f"avg(CAST(p.{column} AS numeric))"


def _rate(column: str, *, answerable_only: bool = False) -> str:
    where = " FILTER (WHERE NOT p.unanswerable)" if answerable_only else ""
    return f"avg(CASE WHEN p.{column} THEN 1.0 WHEN NOT p.{column} THEN 0.0 END){where}"


METRICS: tuple[TeacherMetric, ...] = (
    TeacherMetric("recall", True, "rate", _mean("recall"), "needed memories retrieved"),
    TeacherMetric("precision", True, "rate", _mean("precision"), "retrieved memories relevant"),
    TeacherMetric("hit_rate", True, "rate", _rate("hit"), "probes with a relevant memory"),
    TeacherMetric(
        "context_precision", True, "rate", _mean("context_precision"), "Ragas context precision"
    ),
    TeacherMetric(
        "answer_correct_rate",
        True,
        "rate",
        _rate("answer_correct", answerable_only=True),
        "answerable probes answered correctly",
    ),
    TeacherMetric("answer_f1", True, "score", _mean("answer_f1"), "token F1 of the answer"),
    TeacherMetric(
        "hallucination_rate",
        False,
        "rate",
        _rate("hallucination"),
        "answers asserting a forbidden or unsupported claim",
    ),
    TeacherMetric("abstention_rate", False, "rate", _rate("abstention"), "answers abstaining"),
    TeacherMetric(
        "false_abstention_rate",
        False,
        "rate",
        _rate("abstention", answerable_only=True),
        "answerable probes the answer abstained on",
    ),
    TeacherMetric(
        "context_utilisation",
        True,
        "rate",
        _mean("context_utilisation"),
        "relevant retrieved memories the answer used",
    ),
    TeacherMetric(
        "latency_ms_p95",
        False,
        "ms",
        "percentile_cont(0.95) WITHIN GROUP (ORDER BY p.latency_ms)",
        "95th percentile of the probe latency within the episode",
    ),
    TeacherMetric("tokens_per_probe", False, "tokens", _mean("tokens"), "tokens per probe"),
    TeacherMetric("cost_per_probe_usd", False, "usd", _mean("cost_usd"), "cost per probe"),
    TeacherMetric("error_rate", False, "rate", _rate("error"), "probes that failed"),
)

BY_NAME: dict[str, TeacherMetric] = {metric.name: metric for metric in METRICS}

#: Which way each metric is better: the single source for every spec the Teacher builds.
HIGHER_IS_BETTER: dict[str, bool] = {metric.name: metric.higher_is_better for metric in METRICS}


def get_metric(name: str) -> TeacherMetric:
    """Return the metric called ``name``, or raise naming the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown metric {name!r}; the Teacher measures {', '.join(BY_NAME)}"
        ) from None


def metric_spec(
    name: str, *, role: MetricRole = "primary", margin: float | None = None
) -> MetricSpec:
    """Return the statistics spec of a known metric, with its direction from the table."""
    return MetricSpec(
        name=name, higher_is_better=get_metric(name).higher_is_better, role=role, margin=margin
    )


def format_change(name: str, value: float) -> str:
    """Return a signed change in the metric's unit: ``-6.1 pts``, ``+12 ms``, ``+$0.0004``."""
    if not math.isfinite(value):
        return "unbounded" if math.isinf(value) else "n/a"
    unit = BY_NAME[name].unit if name in BY_NAME else "score"
    if unit == "rate":
        return f"{100 * value:+.1f} pts"
    if unit == "ms":
        return f"{value:+.0f} ms"
    if unit == "tokens":
        return f"{value:+.1f} tokens"
    if unit == "usd":
        return f"{'-' if value < 0 else '+'}${abs(value):.4g}"
    return f"{value:+.3f}"


def format_interval(name: str, low: float, high: float) -> str:
    """Return ``[-8.0, -4.2]`` in the metric's unit (without repeating the unit)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "[interval still unbounded]"
    unit = BY_NAME[name].unit if name in BY_NAME else "score"
    if unit == "rate":
        return f"[{100 * low:+.1f}, {100 * high:+.1f}]"
    if unit in ("ms", "tokens"):
        return f"[{low:+.1f}, {high:+.1f}]"
    return f"[{low:+.4g}, {high:+.4g}]"

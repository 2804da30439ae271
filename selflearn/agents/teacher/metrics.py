"""How SQL computes each metric of the one table (`selflearn.agents.metrics`) per episode.

Every metric is a per-episode aggregate over the episode's rows in `probe_results` (alias
``p``): means of the score columns, and rates (means of 0/1) for the boolean ones. Probes
where a column is NULL (undefined for that probe, e.g. recall when nothing was needed) are
left out of its mean. Engagement is the exception: the mean TEC of the episode's user
messages in `micrograph_turns` (NULL when the micrograph did not run).
Means are summed as `numeric`, exactly: a float sum depends on the order PostgreSQL happens to
read the rows in, and the same campaign must give the same deltas to the last digit.
"""

from __future__ import annotations

import math

from selflearn.agents.metrics import BY_NAME, METRICS, get_metric
from selflearn.agents.teacher.stats import MetricRole, MetricSpec


def _mean(column: str) -> str:
    return f"avg(CAST(p.{column} AS numeric))"


def _rate(column: str, *, answerable_only: bool = False) -> str:
    where = " FILTER (WHERE NOT p.unanswerable)" if answerable_only else ""
    return f"avg(CASE WHEN p.{column} THEN 1.0 WHEN NOT p.{column} THEN 0.0 END){where}"


_SQL: dict[str, str] = {
    "recall": _mean("recall"),
    "precision": _mean("precision"),
    "hit_rate": _rate("hit"),
    "context_precision": _mean("context_precision"),
    "answer_correct_rate": _rate("answer_correct", answerable_only=True),
    "answer_f1": _mean("answer_f1"),
    "hallucination_rate": _rate("hallucination"),
    "abstention_rate": _rate("abstention"),
    "false_abstention_rate": _rate("abstention", answerable_only=True),
    "context_utilisation": _mean("context_utilisation"),
    "latency_ms_p95": "percentile_cont(0.95) WITHIN GROUP (ORDER BY p.latency_ms)",
    "tokens_per_probe": _mean("tokens"),
    "cost_per_probe_usd": _mean("cost_usd"),
    "error_rate": _rate("error"),
    # Over the episode's user messages, not its probes: `array_agg` belongs to the outer
    # query, so this works under any GROUP BY that groups the episode's probe rows.
    "engagement": (
        "(SELECT avg(CAST(t.tec AS numeric)) FROM micrograph_turns AS t"
        " WHERE t.episode_id = ANY(array_agg(DISTINCT p.episode_id)) AND t.tec IS NOT NULL)"
    ),
}

#: (name, aggregate) of every metric, in table order: the per-episode SQL's columns.
SQL_COLUMNS: tuple[tuple[str, str], ...] = tuple((m.name, _SQL[m.name]) for m in METRICS)

#: The names of every metric the Teacher measures, in table order.
MEASURED: tuple[str, ...] = tuple(name for name, _ in SQL_COLUMNS)


def select_list() -> str:
    """Return ``agg AS name, ...`` for every metric (a SELECT list over ``probe_results p``)."""
    return ",\n".join(f"    {sql} AS {name}" for name, sql in SQL_COLUMNS)


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

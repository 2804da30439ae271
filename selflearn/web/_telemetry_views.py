"""The telemetry dashboards of SPEC §5: latency per stage, hit rate per day, tokens and cost.

Each query reads one stage over a time window, which `ix_telemetry_stage_created` (stage,
created_at, with the measured columns included) answers with an index-only scan; the plans
are in benchmarks/results/console.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from selflearn.store.models import STAGES

__all__ = ["COST_SQL", "HIT_RATE_SQL", "LATENCY_SQL", "cost", "hit_rate", "latency"]

LATENCY_SQL = text(
    """
    SELECT stage, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
    FROM telemetry_events
    WHERE stage = ANY(:stages) AND created_at >= :since AND latency_ms IS NOT NULL
    GROUP BY stage
    """
)

HIT_RATE_SQL = text(
    """
    SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) AS n,
           avg(hit_rate) AS hit_rate
    FROM telemetry_events
    WHERE stage = 'e2e' AND created_at >= :since
    GROUP BY 1 ORDER BY 1
    """
)

COST_SQL = text(
    """
    SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) AS n,
           coalesce(sum(prompt_tokens), 0) AS prompt, coalesce(sum(completion_tokens), 0) AS compl,
           coalesce(sum(total_cost_usd), 0) AS cost
    FROM telemetry_events
    WHERE stage = 'e2e' AND created_at >= :since
    GROUP BY 1 ORDER BY 1
    """
)

COST_BY_VERSION_SQL = text(
    """
    SELECT v.version AS version, count(*) AS n,
           coalesce(sum(e.prompt_tokens), 0) AS prompt,
           coalesce(sum(e.completion_tokens), 0) AS compl,
           coalesce(sum(e.total_cost_usd), 0) AS cost
    FROM telemetry_events e
    JOIN pipeline_runs r ON r.id = e.pipeline_id
    LEFT JOIN experiment_parameters v ON v.id = r.parameter_version_id
    WHERE e.stage = 'e2e' AND e.created_at >= :since
    GROUP BY v.version ORDER BY v.version NULLS FIRST
    """
)


def _day(value: datetime) -> str:
    return value.date().isoformat()


def latency(session: Session, *, now: datetime, window_minutes: int) -> dict[str, Any]:
    """Return p50/p95 latency per stage over the last `window_minutes` (every stage listed)."""
    since = now - timedelta(minutes=window_minutes)
    rows = {
        r.stage: r for r in session.execute(LATENCY_SQL, {"stages": list(STAGES), "since": since})
    }
    stages = []
    for stage in STAGES:
        row = rows.get(stage)
        stages.append(
            {
                "stage": stage,
                "count": int(row.n) if row else 0,
                "p50_ms": float(row.p50) if row and row.p50 is not None else None,
                "p95_ms": float(row.p95) if row and row.p95 is not None else None,
            }
        )
    return {"window_minutes": window_minutes, "stages": stages}


def hit_rate(session: Session, *, now: datetime, days: int) -> dict[str, Any]:
    """Return the mean hit rate of each day's turns over the last `days`."""
    since = now - timedelta(days=days)
    items = [
        {
            "day": _day(r.day),
            "turns": int(r.n),
            "hit_rate": None if r.hit_rate is None else float(r.hit_rate),
        }
        for r in session.execute(HIT_RATE_SQL, {"since": since})
    ]
    return {"days": days, "items": items}


def cost(session: Session, *, now: datetime, days: int) -> dict[str, Any]:
    """Return tokens and cost per day and per parameter version over the last `days`."""
    since = now - timedelta(days=days)
    per_day = [
        {
            "day": _day(r.day),
            "turns": int(r.n),
            "prompt_tokens": int(r.prompt),
            "completion_tokens": int(r.compl),
            "cost_usd": float(r.cost),
        }
        for r in session.execute(COST_SQL, {"since": since})
    ]
    per_version = [
        {
            "version": r.version,
            "turns": int(r.n),
            "prompt_tokens": int(r.prompt),
            "completion_tokens": int(r.compl),
            "cost_usd": float(r.cost),
        }
        for r in session.execute(COST_BY_VERSION_SQL, {"since": since})
    ]
    return {"days": days, "per_day": per_day, "per_version": per_version}

"""The micro cycle: a quick look at the recent online turns of the active version.

From SQL over the telemetry of the window (since the previous micro cycle but at most
`micro_max_window` back; `micro_lookback` back for the first one): turns, error rate,
latency p50/p95 per stage, tokens and hit rate. Error rate and e2e latency p95 become the
cycle's `CycleMetrics`, and the degradation rules run on the micro-cycle history of the
active version: after the configured number of degraded cycles in a row, the version rolls
back automatically.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from selflearn.cycles._context import CycleContext
from selflearn.cycles._journal import last_evidence
from selflearn.cycles._rules import enforce_degradation, history_with
from selflearn.cycles._telemetry import CycleSummary
from selflearn.space import default_params
from selflearn.store import session_scope
from selflearn.tuner import CycleMetrics, active_version, effective_params

_RUNS = text(
    """
    SELECT count(*) AS turns, count(*) FILTER (WHERE status = 'error') AS errors,
           count(DISTINCT user_id) AS users
    FROM pipeline_runs
    WHERE cycle_type = 'online'
      AND (parameter_version_id = :v OR (:unversioned AND parameter_version_id IS NULL))
      AND created_at > :start AND created_at <= :end
    """
)

_STAGES = text(
    """
    SELECT e.stage, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY e.latency_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY e.latency_ms) AS p95,
           sum(e.prompt_tokens) AS prompt_tokens, sum(e.completion_tokens) AS completion_tokens,
           avg(e.hit_rate) AS hit_rate
    FROM telemetry_events AS e JOIN pipeline_runs AS r ON r.id = e.pipeline_id
    WHERE e.cycle_type = 'online'
      AND (r.parameter_version_id = :v OR (:unversioned AND r.parameter_version_id IS NULL))
      AND e.created_at > :start AND e.created_at <= :end
    GROUP BY e.stage
    ORDER BY e.stage
    """
)


def _round(value: Any, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def window_stats(
    session: Session,
    *,
    version_id: uuid.UUID,
    start: datetime,
    end: datetime,
    unversioned: bool = False,
) -> dict[str, Any]:
    """Return the online figures of one version between `start` (excluded) and `end`.

    `unversioned` also counts turns served before any version existed (on the defaults).
    """
    binds = {"v": version_id, "start": start, "end": end, "unversioned": unversioned}
    runs = session.execute(_RUNS, binds).one()
    stages = {
        row.stage: {
            "n": int(row.n),
            "p50_ms": _round(row.p50),
            "p95_ms": _round(row.p95),
            "prompt_tokens": None if row.prompt_tokens is None else int(row.prompt_tokens),
            "completion_tokens": None
            if row.completion_tokens is None
            else int(row.completion_tokens),
            "hit_rate": _round(row.hit_rate, 4),
        }
        for row in session.execute(_STAGES, binds)
    }
    turns = int(runs.turns)
    e2e = stages.get("e2e", {})
    return {
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "turns": turns,
        "users": int(runs.users),
        "errors": int(runs.errors),
        "error_rate": round(int(runs.errors) / turns, 4) if turns else None,
        "latency_ms": {
            stage: {"p50": s["p50_ms"], "p95": s["p95_ms"]} for stage, s in stages.items()
        },
        "prompt_tokens": e2e.get("prompt_tokens"),
        "completion_tokens": e2e.get("completion_tokens"),
        "hit_rate": e2e.get("hit_rate"),
    }


def _window_start(ctx: CycleContext, session: Session) -> datetime:
    previous = last_evidence("micro", session=session, where="window_end")
    if previous is None:
        return ctx.now - ctx.options.micro_lookback
    since = datetime.fromisoformat(previous[1]["window_end"])
    return max(since, ctx.now - ctx.options.micro_max_window)


def run_micro(ctx: CycleContext) -> CycleSummary:
    """Measure the recent online turns and enforce the degradation rules."""
    report = ctx.report
    with session_scope(ctx.engine) as session:
        active = active_version(session=session)
        assert active is not None  # the cycle frame bootstraps one
        # Turns served on the defaults before the first version existed count for the
        # bootstrapped version, which holds exactly those values.
        bootstrap = active.parent_id is None and effective_params(active) == default_params()
        start = _window_start(ctx, session)
        if not bootstrap:
            start = max(start, active.activated_at or ctx.now)
        stats = window_stats(
            session, version_id=active.id, start=start, end=ctx.now, unversioned=bootstrap
        )
        ctx.extra["window_end"] = ctx.now.isoformat()
        e2e = stats["latency_ms"].get("e2e", {})
        metrics = CycleMetrics(
            at=ctx.now, error_rate=stats["error_rate"], latency_p95_ms=e2e.get("p95")
        )
        history = history_with("micro", metrics, session=session)
        report.metrics, report.stats = history[-1], stats
        if stats["turns"]:
            report.findings.append(
                f"{stats['turns']} online turn(s) of {stats['users']} user(s): error rate "
                f"{stats['error_rate']:.1%}, e2e p50 {e2e.get('p50')} ms, p95 {e2e.get('p95')} ms"
            )
        else:
            report.findings.append("no online turns on the active version since the last look")
        actions = enforce_degradation(
            "micro", history, session=session, now=ctx.now, options=ctx.options
        )
    report.actions.extend(actions)
    report.findings.extend(action.detail for action in actions)
    if not actions:
        report.findings.append(f"no degradation rule fired over {len(history)} micro cycle(s)")
    return CycleSummary(
        duration_ms=0.0,
        examined=stats["turns"],
        changed=0,
        hit_rate=stats["hit_rate"],
        prompt_tokens=stats["prompt_tokens"],
        completion_tokens=stats["completion_tokens"],
    )

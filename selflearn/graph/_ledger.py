"""What a campaign's roles spent and where they failed: one telemetry row per model call.

Every call a role's model makes during a campaign (Manager, Teacher, Emulator, judge) is
written as it ends, like a cycle's telemetry: a `pipeline_runs` row (user
"system:llm", query "role:<role>", answer "<provider>/<model>", experiment_id the campaign,
variant the role) and its `e2e` event with latency, tokens, cost, `retry_count` and, when
the call failed after its retries, `error_type`. Rows are never deleted when an episode is
replayed, so a failure stays on record. The Student's responder records its own turns.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine, text

from selflearn.providers import RoleCall
from selflearn.store import session_scope
from selflearn.store.models import PipelineRun, TelemetryEvent

LLM_USER = "system:llm"

_ROLES_SQL = text(
    """
    SELECT r.variant AS role, count(*) AS calls,
           count(*) FILTER (WHERE r.status = 'error') AS errors,
           coalesce(sum(e.retry_count), 0) AS retries,
           coalesce(sum(e.prompt_tokens), 0) AS prompt_tokens,
           coalesce(sum(e.completion_tokens), 0) AS completion_tokens,
           coalesce(sum(e.total_cost_usd), 0) AS cost_usd
    FROM pipeline_runs AS r JOIN telemetry_events AS e ON e.pipeline_id = r.id
    WHERE r.user_id = :user AND r.experiment_id = :campaign AND e.stage = 'e2e'
    GROUP BY r.variant
    """
)
# The Student's responder: its turns in the campaign's episodes (completed or replayed).
_RESPONDER_SQL = text(
    """
    SELECT count(*) AS calls,
           count(*) FILTER (WHERE e.error_type IS NOT NULL) AS errors,
           coalesce(sum(e.retry_count), 0) AS retries,
           coalesce(sum(e.prompt_tokens), 0) AS prompt_tokens,
           coalesce(sum(e.completion_tokens), 0) AS completion_tokens,
           coalesce(sum(e.total_cost_usd), 0) AS cost_usd
    FROM telemetry_events AS e JOIN pipeline_runs AS r ON r.id = e.pipeline_id
    WHERE e.stage = 'responder'
      AND r.episode_id IN (SELECT id FROM episodes WHERE campaign_id = :campaign)
    """
)


class RoleLedger:
    """A usage sink writing each role call of one campaign to the telemetry tables."""

    def __init__(self, engine: Engine, campaign_id: str, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.campaign_id = campaign_id
        self.clock = clock

    def __call__(self, call: RoleCall) -> None:
        """Write one call (its own transaction: a failure is kept even if the node fails)."""
        run_id = uuid.uuid4()
        now = self.clock()
        with session_scope(self.engine) as session:
            session.add(
                PipelineRun(
                    id=run_id,
                    user_id=LLM_USER,
                    experiment_id=self.campaign_id,
                    variant=call.role,
                    cycle_type="macro",
                    query=f"role:{call.role}",
                    answer=f"{call.provider}/{call.model}",
                    status="error" if call.error_type else "ok",
                    error_type=call.error_type,
                    created_at=now,
                )
            )
            session.flush()
            session.add(
                TelemetryEvent(
                    pipeline_id=run_id,
                    experiment_id=self.campaign_id,
                    variant=call.role,
                    cycle_type="macro",
                    created_at=now,
                    stage="e2e",
                    latency_ms=call.latency_ms,
                    prompt_tokens=call.prompt_tokens,
                    completion_tokens=call.completion_tokens,
                    total_cost_usd=call.cost_usd,
                    retry_count=call.retries,
                    error_type=call.error_type,
                    user_id=LLM_USER,
                )
            )

    def bind(self, models: Mapping[str, BaseChatModel]) -> dict[str, BaseChatModel]:
        """Return copies of `models` whose calls are written to this ledger."""
        return {role: m.model_copy(update={"usage_sink": self}) for role, m in models.items()}


def _row(values: Any) -> dict[str, Any]:
    return {
        "calls": int(values["calls"]),
        "errors": int(values["errors"]),
        "retries": int(values["retries"]),
        "prompt_tokens": int(values["prompt_tokens"]),
        "completion_tokens": int(values["completion_tokens"]),
        "cost_usd": round(float(values["cost_usd"]), 6),
    }


def role_usage(engine: Engine, campaign_id: str) -> dict[str, dict[str, Any]]:
    """Return calls, errors, retries, tokens and cost per role of a campaign so far."""
    usage: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for values in conn.execute(_ROLES_SQL, {"user": LLM_USER, "campaign": campaign_id}):
            row = _row(values._mapping)
            if values.role in usage:  # one role, several models (an override): add them up
                for key, value in row.items():
                    usage[values.role][key] += value
            else:
                usage[values.role] = row
        student = conn.execute(_RESPONDER_SQL, {"campaign": campaign_id}).one()
    if student.calls:
        usage["responder"] = _row(student._mapping)
    return usage


def campaign_cost(engine: Engine, campaign_id: str) -> float:
    """Return what the campaign's model calls cost so far, in USD."""
    return round(sum(u["cost_usd"] for u in role_usage(engine, campaign_id).values()), 6)


def over_cost(engine: Engine, campaign_id: str, limit: float | None) -> str | None:
    """Return why the campaign must stop spending (its cost budget is used), or None."""
    if limit is None:
        return None
    spent = campaign_cost(engine, campaign_id)
    if spent < limit:
        return None
    return f"cost budget reached: ${spent:.4f} spent of ${limit:.4f} (--max-cost-usd)"

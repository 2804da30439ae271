"""Degradation rules: decide from a metric history whether to roll back, and do it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from selflearn.errors import ConflictError
from selflearn.store.models import ParameterChange, ParameterVersion
from selflearn.tuner._activation import rollback
from selflearn.tuner._formats import RollbackConditions
from selflearn.tuner._metrics import CycleMetrics
from selflearn.tuner._versions import VersionRef, get_version, require_active

# Float noise must not decide a rollback: 0.8 - 0.7 is 0.10000000000000009.
_EPS = 1e-9

DEGRADATION_INITIATOR = "tuner:degradation"


@dataclass(frozen=True)
class RuleCheck:
    """One degradation rule applied to the last cycles: did it fire, on which numbers."""

    rule: str
    fired: bool
    limit: float | None
    values: tuple[float | None, ...]
    message: str


@dataclass(frozen=True)
class DegradationDecision:
    """Whether to roll back, and every rule's reasoning with its numbers."""

    rollback: bool
    checks: tuple[RuleCheck, ...]
    conditions: RollbackConditions
    cycles_seen: int

    @property
    def fired(self) -> tuple[RuleCheck, ...]:
        """Return the rules that fired."""
        return tuple(check for check in self.checks if check.fired)

    @property
    def rule(self) -> str | None:
        """Return the first rule that fired, if any."""
        return self.fired[0].rule if self.fired else None

    @property
    def message(self) -> str:
        """Return the reason in one line (what fired, or that nothing did)."""
        if self.rollback:
            return "; ".join(check.message for check in self.fired)
        return f"no degradation rule fired over {self.cycles_seen} cycle(s)"


def _streak(
    rule: str,
    history: Sequence[CycleMetrics],
    cycles: int,
    read: Callable[[CycleMetrics], float | None],
    limit: float | None,
    breaches: Callable[[float], bool],
    describe: str,
) -> RuleCheck:
    if limit is None:
        return RuleCheck(rule, False, None, (), f"{rule}: not configured")
    window = tuple(read(cycle) for cycle in history[-cycles:])
    shown = ", ".join("n/a" if v is None else f"{v:.4g}" for v in window)
    if len(window) < cycles:
        return RuleCheck(
            rule, False, limit, window, f"{rule}: only {len(window)} of {cycles} cycles yet"
        )
    fired = all(value is not None and breaches(value) for value in window)
    verb = "is" if fired else "is not always"
    return RuleCheck(
        rule,
        fired,
        limit,
        window,
        f"{rule}: {describe} over the last {cycles} cycle(s) [{shown}] {verb} beyond "
        f"the limit {limit:.4g}",
    )


def _drop_check(
    metric: str,
    drop: float | None,
    baseline: CycleMetrics | None,
    history: Sequence[CycleMetrics],
    cycles: int,
) -> RuleCheck:
    base: float | None = None if baseline is None else getattr(baseline, metric)
    limit = None if drop is None or base is None else base - drop
    shown_base = "unknown" if base is None else f"{base:.4g}"

    def read(cycle: CycleMetrics) -> float | None:
        value: float | None = getattr(cycle, metric)
        return value

    def breaches(value: float) -> bool:
        return limit is not None and value < limit - _EPS

    check = _streak(
        f"{metric}_drop",
        history,
        cycles,
        read,
        limit,
        breaches,
        f"{metric} (baseline {shown_base}, allowed drop {drop})",
    )
    if drop is not None and base is None:
        return RuleCheck(check.rule, False, None, (), f"{check.rule}: no baseline {metric}")
    return check


def check_degradation(
    history: Sequence[CycleMetrics],
    *,
    conditions: RollbackConditions | None = None,
    baseline: CycleMetrics | None = None,
) -> DegradationDecision:
    """Decide from the cycles since a version went live (oldest first) whether to roll back.

    A rule fires when each of the last `conditions.cycles` cycles breaches it:
    precision (recall) more than `precision_drop` (`recall_drop`) below the baseline's,
    latency p95 above `latency_p95_ms`, error rate above `error_rate`. Drop rules need
    the baseline (the metrics of the version this one replaced).
    """
    conditions = conditions or RollbackConditions()
    n = conditions.cycles
    checks = [
        _drop_check("precision", conditions.precision_drop, baseline, history, n),
        _drop_check("recall", conditions.recall_drop, baseline, history, n),
    ]
    checks.append(
        _streak(
            "latency_p95",
            history,
            n,
            lambda cycle: cycle.latency_p95_ms,
            conditions.latency_p95_ms,
            lambda value: value > (conditions.latency_p95_ms or 0) + _EPS,
            "latency p95 (ms)",
        )
    )
    checks.append(
        _streak(
            "error_rate",
            history,
            n,
            lambda cycle: cycle.error_rate,
            conditions.error_rate,
            lambda value: value > (conditions.error_rate or 0) + _EPS,
            "error rate",
        )
    )
    return DegradationDecision(
        rollback=any(check.fired for check in checks),
        checks=tuple(checks),
        conditions=conditions,
        cycles_seen=len(history),
    )


def rollback_conditions_for(
    version_id: VersionRef, *, session: Session
) -> RollbackConditions | None:
    """Return the rollback conditions recorded when this version was applied, if any."""
    version = get_version(version_id, session=session)
    entries = session.scalars(
        select(ParameterChange)
        .where(ParameterChange.version_id == version.id)
        .order_by(ParameterChange.created_at.desc(), ParameterChange.id.desc())
    )
    for entry in entries:
        for item in entry.changes:
            if isinstance(item, dict) and isinstance(item.get("rollback_conditions"), dict):
                return RollbackConditions.model_validate(item["rollback_conditions"])
    return None


@dataclass(frozen=True)
class DegradationOutcome:
    """The decision and, when it rolled back, which version left and which is active now."""

    decision: DegradationDecision
    rolled_back: ParameterVersion | None
    active: ParameterVersion


def enforce_degradation_rules(
    history: Sequence[CycleMetrics],
    *,
    session: Session,
    now: datetime,
    baseline: CycleMetrics | None = None,
    version: VersionRef | None = None,
    conditions: RollbackConditions | None = None,
) -> DegradationOutcome:
    """Check the active version's history and roll it back when a rule fires.

    Conditions default to those recorded with the version (else `RollbackConditions()`).
    Pass `version` (the one the history was measured on) to refuse acting on a version
    that is no longer active.
    """
    active = require_active(session=session)
    if version is not None and get_version(version, session=session).id != active.id:
        raise ConflictError(
            f"version {version} is no longer active (v{active.version} is); "
            "its metrics no longer decide anything",
        )
    conditions = (
        conditions or rollback_conditions_for(active.id, session=session) or RollbackConditions()
    )
    decision = check_degradation(history, conditions=conditions, baseline=baseline)
    if not decision.rollback:
        return DegradationOutcome(decision, None, active)
    restored = rollback(
        session=session,
        now=now,
        reason=f"automatic rollback of v{active.version}: {decision.message}",
        initiated_by=DEGRADATION_INITIATOR,
    )
    return DegradationOutcome(decision, active, restored)

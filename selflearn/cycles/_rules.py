"""The Tuner's rules as cycles run them: degradation with automatic rollback, and the
self-improvement rules whose `update_params` recommendations go straight to the Tuner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from selflearn.cycles._journal import cycle_baseline, cycle_history
from selflearn.cycles._models import CycleAction, CycleKind, CycleOptions
from selflearn.errors import ConflictError, InvalidInputError, RuleViolation
from selflearn.tuner import (
    CycleMetrics,
    Recommendation,
    RollbackConditions,
    active_version,
    effective_params,
    enforce_degradation_rules,
    recommend_improvements,
    rollback_conditions_for,
    rule_firings,
    update_params,
)


def merged_conditions(
    recorded: RollbackConditions | None, defaults: RollbackConditions
) -> RollbackConditions:
    """Return the version's recorded conditions, with what they leave unset from `defaults`."""
    if recorded is None:
        return defaults
    filled = {
        name: getattr(defaults, name)
        for name in ("precision_drop", "recall_drop", "latency_p95_ms", "error_rate")
        if getattr(recorded, name) is None
    }
    return recorded.model_copy(update=filled)


def history_with(kind: CycleKind, metrics: CycleMetrics, *, session: Session) -> list[CycleMetrics]:
    """Return the active version's `kind` cycles from the journal, then this one."""
    active = active_version(session=session)
    past = [] if active is None else cycle_history(kind, active, session=session)
    return [*past, metrics.model_copy(update={"cycle": len(past) + 1})]


def enforce_degradation(
    kind: CycleKind,
    history: list[CycleMetrics],
    *,
    session: Session,
    now: datetime,
    options: CycleOptions,
) -> list[CycleAction]:
    """Check the active version's cycle history; roll it back when a rule fires."""
    active = active_version(session=session)
    if active is None:
        return []
    conditions = merged_conditions(
        rollback_conditions_for(active.id, session=session), options.rollback
    )
    baseline = cycle_baseline(kind, active, session=session)
    try:
        outcome = enforce_degradation_rules(
            history,
            session=session,
            now=now,
            baseline=baseline,
            version=active.id,
            conditions=conditions,
        )
    except RuleViolation as error:
        # The version degraded but has nowhere to go back to (the first of its line).
        return [CycleAction(kind="refused", rule=error.rule, detail=error.message)]
    decision = outcome.decision
    if outcome.rolled_back is None:
        return []
    return [
        CycleAction(
            kind="rollback",
            rule=decision.rule,
            detail=f"v{outcome.rolled_back.version} rolled back to v{outcome.active.version}: "
            f"{decision.message}",
            version=outcome.active.version,
        )
    ]


def _apply(rec: Recommendation, *, session: Session, now: datetime) -> CycleAction:
    assert rec.update is not None
    try:
        result = update_params(rec.update, session=session, now=now)
    except (RuleViolation, ConflictError, InvalidInputError) as error:
        return CycleAction(
            kind="refused",
            rule=rec.rule,
            detail=f"{rec.message}; the Tuner refused: {error.message}",
            payload=rec.payload(),
        )
    if result.applied:
        assert result.version is not None
        return CycleAction(
            kind="update",
            rule=rec.rule,
            detail=f"{rec.message} (v{result.version.version})",
            version=result.version.version,
            payload=rec.payload(),
        )
    proposal = result.proposal
    number = None if proposal is None else proposal.id
    return CycleAction(
        kind="proposal",
        rule=rec.rule,
        detail=f"{rec.message}; waits for the owner as proposal #{number} "
        f"({'; '.join(result.approval_reasons)})",
        payload=rec.payload(),
    )


def apply_improvements(
    history: list[CycleMetrics],
    *,
    session: Session,
    now: datetime,
    options: CycleOptions,
) -> tuple[list[CycleAction], list[Recommendation]]:
    """Run the self-improvement rules; hand `update_params` ones to the Tuner.

    Auto-zone changes within the autonomy policy are applied, the others become proposals
    for the owner, and a change a rule such as a cooldown refuses is reported as refused.
    Returns the actions and the recommendations that need an experiment (prompt A/B).
    """
    active = active_version(session=session)
    if active is None:
        return [], []
    report = recommend_improvements(
        history,
        params=effective_params(active),
        now=now,
        last_fired=rule_firings(session=session),
        rules=options.improvement,
    )
    actions = [
        CycleAction(kind="skipped", rule=skipped.rule, detail=skipped.reason)
        for skipped in report.skipped
    ]
    experiments: list[Recommendation] = []
    for rec in report.recommendations:
        if rec.update is not None:
            actions.append(_apply(rec, session=session, now=now))
        else:
            experiments.append(rec)
    return actions, experiments

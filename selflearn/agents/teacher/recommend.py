"""Turn verdicts into a recommendation: an `update_params` payload, more episodes, or nothing.

* a winner (valid, better on a primary, guardrails shown safe) becomes an `update_params`
  payload in the seeds' format, parsed by the Tuner's `parse_update_params` before it
  leaves; among several winners the one with the largest gain on the first primary metric;
* an inconclusive experiment continues when the extra pairs it needs fit in the budget,
  and otherwise stops with no change, saying how many would have been needed;
* a loser changes nothing, with the reason.

The Teacher only recommends: the Tuner validates, applies or files a proposal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from selflearn.agents.teacher._plan import ExperimentPlan
from selflearn.agents.teacher.evaluate import Evaluation
from selflearn.agents.teacher.metrics import format_change, format_interval
from selflearn.agents.teacher.stats import ExperimentVerdict, MetricDelta, Verdict
from selflearn.tuner import RollbackConditions, parse_update_params

Action = Literal["update_params", "continue", "no_change"]


class ExperimentRecommendation(BaseModel):
    """What the Teacher recommends after one look at one experiment."""

    model_config = ConfigDict(frozen=True)

    experiment_id: str
    action: Action
    verdict: Verdict
    variant: str | None
    """The winning variant (update_params), else None."""
    reason: str
    payload: dict[str, Any] | None
    """The `update_params` payload, already accepted by `parse_update_params`."""
    extra_needed: int | None
    """For an inconclusive experiment: more paired episodes likely to settle it."""


def _gain(verdict: ExperimentVerdict) -> float:
    primary = next(d for d in verdict.deltas if d.role == "primary")
    return primary.effect if primary.higher_is_better else -primary.effect


def _delta_words(delta: MetricDelta) -> str:
    return (
        f"{format_change(delta.metric, delta.effect)} {delta.metric} "
        f"{format_interval(delta.metric, delta.ci_low, delta.ci_high)}"
    )


def update_reason(plan: ExperimentPlan, verdict: ExperimentVerdict) -> str:
    """Return ``"min_relevance=0.25 gives -6.1 pts hallucination_rate [-8.0, -4.2] at ..."``."""
    changes = ", ".join(
        f"{name.rsplit('.', 1)[-1]}={value}"
        for name, value in plan.changes[verdict.variant].items()
    )
    better = [d for d in verdict.deltas if d.role == "primary" and d.movement == "better"]
    guards = [d for d in verdict.deltas if d.role == "guardrail"]
    text = f"{changes} gives " + ", ".join(_delta_words(d) for d in better)
    if guards:
        text += " at " + ", ".join(
            f"{format_change(d.metric, d.effect)} {d.metric}" for d in guards
        )
    return text + f" ({verdict.deltas[0].n} paired episodes, experiment {plan.experiment_id})"


def _winner(
    plan: ExperimentPlan, verdict: ExperimentVerdict, rollback: RollbackConditions
) -> ExperimentRecommendation:
    reason = update_reason(plan, verdict)
    payload = {
        "action": "update_params",
        "reason": reason,
        "changes": [
            {"param": name, "from": plan.baseline[name], "to": value}
            for name, value in plan.changes[verdict.variant].items()
        ],
        "rollback_conditions": rollback.model_dump(exclude_none=True),
        "experiment_id": plan.experiment_id,
    }
    parse_update_params(payload)
    return ExperimentRecommendation(
        experiment_id=plan.experiment_id,
        action="update_params",
        verdict="winner",
        variant=verdict.variant,
        reason=reason,
        payload=payload,
        extra_needed=None,
    )


def _no_winner(plan: ExperimentPlan, evaluation: Evaluation) -> ExperimentRecommendation:
    verdicts = evaluation.verdicts
    details = "; ".join(f"{v.variant}: {v.reasons[0]}" for v in verdicts)
    undecided = [v for v in verdicts if v.verdict == "inconclusive"]
    verdict: Verdict = "inconclusive" if undecided else "loser"
    needs = [v.extra_needed for v in undecided if v.valid and v.extra_needed is not None]
    extra = min(needs) if needs else None
    action: Action = "no_change"
    pairs = evaluation.pairs
    if not undecided:
        reason = f"no change: {details}"
    elif extra is None:
        reason = f"no change: still inconclusive after {pairs} pairs and unlikely to settle. "
        reason += details
    elif pairs + extra <= plan.max_pairs:
        action = "continue"
        reason = (
            f"inconclusive after {pairs} pairs: continue with about {extra} more "
            f"(budget {plan.max_pairs} pairs). {details}"
        )
    else:
        reason = (
            f"no change: inconclusive after {pairs} pairs, and the about {extra} more it "
            f"would need exceed the budget of {plan.max_pairs} pairs. {details}"
        )
    return ExperimentRecommendation(
        experiment_id=plan.experiment_id,
        action=action,
        verdict=verdict,
        variant=None,
        reason=reason,
        payload=None,
        extra_needed=extra,
    )


def recommend(
    plan: ExperimentPlan,
    evaluation: Evaluation,
    *,
    rollback_conditions: RollbackConditions | None = None,
) -> ExperimentRecommendation:
    """Return the recommendation for an evaluated experiment (see the module doc)."""
    rollback = rollback_conditions or RollbackConditions()
    winners = [v for v in evaluation.verdicts if v.verdict == "winner" and v.valid]
    if winners:
        best = max(winners, key=lambda v: (_gain(v), v.variant))
        return _winner(plan, best, rollback)
    return _no_winner(plan, evaluation)

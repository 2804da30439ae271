"""Self-improvement rules of SPEC §8: recommendations from metric history, never applied here.

Each rule returns an `update_params` (or, for hallucinations, a `prepare_experiment`)
payload; the caller hands it to `update_params` / `prepare_experiment`, so every Tuner
check (ranges, autonomy, cooldowns) still applies. A rule rests for its own cooldown after
it fired; `rule_firings` reads when each one last did from the change log and proposals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selflearn.space import PROMPT_VERSIONS, get_spec
from selflearn.store.models import ParameterChange, Proposal
from selflearn.tuner._cooldown import format_duration
from selflearn.tuner._formats import PrepareExperiment, RollbackConditions, UpdateParams
from selflearn.tuner._metrics import CycleMetrics

LOW_PRECISION = "low_precision"
LOW_RECALL = "low_recall"
HIGH_HALLUCINATION = "high_hallucination"
RULE_PREFIX = "rule:"

TOP_K = "retrieval.top_k"
KEYWORD_COUNT = "retrieval.keyword_count"
PROMPT_VERSION = "responder.system_prompt_version"


def _default_cooldowns() -> dict[str, timedelta]:
    return {
        LOW_PRECISION: timedelta(hours=6),
        LOW_RECALL: timedelta(hours=6),
        HIGH_HALLUCINATION: timedelta(hours=24),
    }


class ImprovementRules(BaseModel):
    """Thresholds of the self-improvement rules (defaults are the seeds' numbers)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    precision_floor: float = Field(default=0.7, ge=0, le=1)
    precision_cycles: int = Field(default=3, ge=1)
    top_k_step: int = Field(default=1, ge=1)
    recall_floor: float = Field(default=0.5, ge=0, le=1)
    recall_cycles: int = Field(default=3, ge=1)
    keyword_step: int = Field(default=2, ge=1)
    hallucination_ceiling: float = Field(default=0.1, ge=0, le=1)
    hallucination_cycles: int = Field(default=1, ge=1)
    cooldowns: dict[str, timedelta] = Field(default_factory=_default_cooldowns)
    rollback_conditions: RollbackConditions = Field(
        default_factory=lambda: RollbackConditions(precision_drop=0.1, recall_drop=0.1, cycles=3)
    )

    def cooldown_for(self, rule: str) -> timedelta:
        """Return how long a rule rests after it fired."""
        return self.cooldowns.get(rule, _default_cooldowns().get(rule, timedelta(hours=6)))


@dataclass(frozen=True)
class Recommendation:
    """What a rule recommends, why (with the numbers), and the payload to hand on."""

    rule: str
    message: str
    evidence: dict[str, Any]
    update: UpdateParams | None = None
    experiment: PrepareExperiment | None = None

    @property
    def initiated_by(self) -> str:
        """Return the initiator to record (`rule:<name>`)."""
        return RULE_PREFIX + self.rule

    def payload(self) -> dict[str, Any]:
        """Return the machine-format payload (update_params or prepare_experiment)."""
        if self.update is not None:
            return self.update.to_payload()
        assert self.experiment is not None
        return self.experiment.model_dump(mode="json")


@dataclass(frozen=True)
class SkippedRule:
    """A rule whose condition held but that recommends nothing now, and why."""

    rule: str
    reason: str


@dataclass(frozen=True)
class ImprovementReport:
    """The recommendations of one evaluation, and the rules held back."""

    recommendations: tuple[Recommendation, ...]
    skipped: tuple[SkippedRule, ...]


def _below(history: Sequence[CycleMetrics], metric: str, floor: float, cycles: int) -> list[float]:
    """Return the last `cycles` values if every one is below `floor`, else []."""
    window = [getattr(cycle, metric) for cycle in history[-cycles:]]
    if len(window) < cycles or any(value is None or value >= floor for value in window):
        return []
    return [float(value) for value in window]


def _fmt(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.3g}" for value in values)


@dataclass(frozen=True)
class _StepRule:
    rule: str
    metric: str
    param: str

    def floor(self, rules: ImprovementRules) -> float:
        return rules.precision_floor if self.metric == "precision" else rules.recall_floor

    def cycles(self, rules: ImprovementRules) -> int:
        return rules.precision_cycles if self.metric == "precision" else rules.recall_cycles

    def step(self, rules: ImprovementRules) -> int:
        return -rules.top_k_step if self.metric == "precision" else rules.keyword_step

    def apply(
        self, history: Sequence[CycleMetrics], params: Mapping[str, Any], rules: ImprovementRules
    ) -> Recommendation | SkippedRule | None:
        floor = self.floor(rules)
        values = _below(history, self.metric, floor, self.cycles(rules))
        if not values:
            return None
        spec = get_spec(self.param)
        current = params.get(self.param, spec.default)
        target = int(current) + self.step(rules)
        if (spec.low is not None and target < spec.low) or (
            spec.high is not None and target > spec.high
        ):
            return SkippedRule(self.rule, f"{self.param} is already {current}, at its range's edge")
        reason = (
            f"{self.metric} {_fmt(values)} below {floor:g} for {len(values)} cycles: "
            f"{self.param} {current} -> {target}"
        )
        update = UpdateParams.model_validate(
            {
                "reason": reason,
                "changes": [{"param": self.param, "from": current, "to": target}],
                "rollback_conditions": rules.rollback_conditions.model_dump(),
                "initiated_by": RULE_PREFIX + self.rule,
            }
        )
        evidence = {"metric": self.metric, "values": values, "floor": floor, "param": self.param}
        return Recommendation(self.rule, reason, evidence, update=update)


STEP_RULES = (
    _StepRule(LOW_PRECISION, "precision", TOP_K),
    _StepRule(LOW_RECALL, "recall", KEYWORD_COUNT),
)


def _prompt_experiment(
    values: list[float], params: Mapping[str, Any], rules: ImprovementRules, now: datetime
) -> Recommendation | SkippedRule:
    current = params.get(PROMPT_VERSION, get_spec(PROMPT_VERSION).default)
    others = [version for version in PROMPT_VERSIONS if version != current]
    if not others:
        return SkippedRule(HIGH_HALLUCINATION, "no other prompt version is registered")
    reason = (
        f"hallucination rate {_fmt(values)} above {rules.hallucination_ceiling:g}: "
        f"A/B the prompt {current} against {', '.join(others)}"
    )
    variants = [{"name": "baseline", "params": {PROMPT_VERSION: current}}]
    variants += [{"name": version, "params": {PROMPT_VERSION: version}} for version in others]
    experiment = PrepareExperiment.model_validate(
        {
            "experiment_id": f"prompt_ab_{now:%Y%m%dT%H%M%S}",
            "variants": variants,
            "hypothesis": reason,
        }
    )
    evidence = {
        "metric": "hallucination_rate",
        "values": values,
        "ceiling": rules.hallucination_ceiling,
    }
    return Recommendation(HIGH_HALLUCINATION, reason, evidence, experiment=experiment)


def recommend_improvements(
    history: Sequence[CycleMetrics],
    *,
    params: Mapping[str, Any],
    now: datetime,
    last_fired: Mapping[str, datetime] | None = None,
    rules: ImprovementRules | None = None,
) -> ImprovementReport:
    """Run the self-improvement rules over the active version's cycles (oldest first).

    `params` are the active values; `last_fired` says when each rule last fired (see
    `rule_firings`). A rule inside its cooldown is reported as skipped.
    """
    rules = rules or ImprovementRules()
    last_fired = last_fired or {}
    candidates = [outcome for r in STEP_RULES if (outcome := r.apply(history, params, rules))]
    window = [cycle.hallucination_rate for cycle in history[-rules.hallucination_cycles :]]
    if len(window) == rules.hallucination_cycles and all(
        value is not None and value > rules.hallucination_ceiling for value in window
    ):
        rates = [float(value) for value in window if value is not None]
        candidates.append(_prompt_experiment(rates, params, rules, now))
    recommendations: list[Recommendation] = []
    skipped: list[SkippedRule] = []
    for outcome in candidates:
        fired_at = last_fired.get(outcome.rule)
        rest = rules.cooldown_for(outcome.rule)
        if fired_at is not None and fired_at + rest > now:
            skipped.append(
                SkippedRule(
                    outcome.rule,
                    f"cooldown: fired {format_duration(now - fired_at)} ago, "
                    f"{format_duration(fired_at + rest - now)} left",
                )
            )
        elif isinstance(outcome, Recommendation):
            recommendations.append(outcome)
        else:
            skipped.append(outcome)
    return ImprovementReport(tuple(recommendations), tuple(skipped))


def rule_firings(*, session: Session) -> dict[str, datetime]:
    """Return when each self-improvement rule last led to a change or a proposal."""
    fired: dict[str, datetime] = {}
    logged = session.execute(
        select(ParameterChange.initiated_by, func.max(ParameterChange.created_at))
        .where(ParameterChange.initiated_by.startswith(RULE_PREFIX))
        .group_by(ParameterChange.initiated_by)
    )
    initiator = Proposal.payload["initiated_by"].astext
    proposed = session.execute(
        select(initiator, func.max(Proposal.created_at))
        .where(initiator.startswith(RULE_PREFIX))
        .group_by(initiator)
    )
    for who, at in [*logged, *proposed]:
        rule = who[len(RULE_PREFIX) :]
        if rule not in fired or at > fired[rule]:
            fired[rule] = at
    return fired

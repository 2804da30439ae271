"""From what the owner said to a complete GoalSpec: drafts, amendments and the defaults.

Defaults the Manager adds (each shown as "(default)" in the restated goal, and dropped for
a metric the owner targets, guards or says to leave alone):

- experiment space: the factors that can move the primary metrics (`METRIC_FACTORS`);
- hallucination_rate may not rise by more than 2 pts, unless it is a target; when it is,
  abstention_rate may not rise by more than 5 pts (fewer hallucinations must not be bought
  with more "I don't know" answers);
- answer_f1 may not drop by more than 2 pts when no quality metric is a target;
- error_rate may not rise by more than 1 pt;
- latency_ms_p95 and cost_per_probe_usd may not rise by more than 20 % of their baseline.

A guardrail the owner names without a number ("without losing recall") gets 2 pts for
rates and 10 % of the baseline for latency, tokens and cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from selflearn.agents.manager._catalog import (
    METRIC_FACTORS,
    METRICS,
    SCOPES,
    MetricName,
    resolve_factor,
)
from selflearn.agents.manager._goal import GoalSpec, Guardrail, MetricTarget
from selflearn.tuner import AutonomyPolicy, StepLimit

QUALITY_METRICS = frozenset(
    {
        "recall",
        "precision",
        "hit_rate",
        "answer_f1",
        "hallucination_rate",
        "abstention_rate",
        "context_utilisation",
    }
)
EVERYTHING = frozenset({"all", "everything", "every scenario", "all scenarios", "everywhere"})


def default_margin(metric: str) -> tuple[float, bool]:
    """Return (margin, relative) for a guardrail the owner named without a number."""
    return (0.02, False) if METRICS[metric].fraction else (0.1, True)


def _factors(names: list[str]) -> list[str]:
    resolved: list[str] = []
    for name in names:
        full = resolve_factor(name)
        if full not in resolved:
            resolved.append(full)
    return resolved


class GoalAmendment(BaseModel):
    """Changes to the factors, autonomy or watched metrics of a goal."""

    model_config = ConfigDict(extra="forbid")

    forbid: list[str] = Field(default_factory=list, description="factors never to touch")
    allow: list[str] = Field(default_factory=list, description="factors experiments may vary")
    only: list[str] | None = Field(
        default=None, description="experiments vary exactly these factors"
    )
    auto: list[str] = Field(default_factory=list, description="factors the Tuner may change alone")
    manual: list[str] = Field(default_factory=list, description="factors needing approval")
    max_step: dict[str, float] = Field(
        default_factory=dict, description="largest change per step, in the factor's unit"
    )
    ignore: list[MetricName] = Field(
        default_factory=list, description="metrics neither targeted nor guarded"
    )
    guardrails: list[Guardrail] = Field(
        default_factory=list, description="guardrails to add; each replaces one on its metric"
    )

    @field_validator("forbid", "allow", "auto", "manual")
    @classmethod
    def _resolve(cls, names: list[str]) -> list[str]:
        return _factors(names)

    @field_validator("only")
    @classmethod
    def _resolve_only(cls, names: list[str] | None) -> list[str] | None:
        return None if names is None else _factors(names)

    @field_validator("max_step")
    @classmethod
    def _resolve_steps(cls, steps: dict[str, float]) -> dict[str, float]:
        for value in steps.values():
            if value <= 0:
                raise ValueError("a largest step must be positive")
        return {resolve_factor(name): value for name, value in steps.items()}

    def is_empty(self) -> bool:
        """Return whether the amendment changes nothing."""
        return self == GoalAmendment()

    def apply(self, spec: GoalSpec, *, text: str | None = None) -> GoalSpec:
        """Return `spec` with this amendment applied (newer statements win over older)."""
        granted = [*(self.only or []), *self.allow, *self.auto, *self.manual]
        allowed = list(self.only) if self.only is not None else list(spec.allowed_factors)
        allowed += [f for f in granted if f not in allowed]
        forbidden = [f for f in spec.forbidden_factors if f not in granted]
        forbidden += [f for f in self.forbid if f not in forbidden]
        allowed = [f for f in allowed if f not in forbidden]
        alone = spec.autonomy.allowed
        if self.auto:
            alone = [*(alone or []), *(f for f in self.auto if f not in (alone or []))]
        if alone is not None:
            alone = [f for f in alone if f in allowed and f not in self.manual]
        manual = [f for f in spec.autonomy.manual if f not in self.auto]
        manual += [f for f in self.manual if f not in manual]
        steps = dict(spec.autonomy.max_step)
        steps.update({name: StepLimit(absolute=v) for name, v in self.max_step.items()})
        autonomy = AutonomyPolicy.model_validate(
            {
                **spec.autonomy.model_dump(),
                "allowed": alone,
                "manual": [f for f in manual if f not in forbidden],
                "max_step": steps,
            }
        )
        guarded = {g.metric for g in self.guardrails}
        ignored = [m for m in spec.ignored_metrics if m not in guarded]
        ignored += [m for m in self.ignore if m not in ignored]
        guardrails = [
            g
            for g in spec.guardrails
            if g.metric not in guarded and not (g.source == "default" and g.metric in ignored)
        ]
        guardrails += self.guardrails
        data: dict[str, Any] = {
            **spec.model_dump(),
            "allowed_factors": allowed,
            "forbidden_factors": forbidden,
            "autonomy": autonomy,
            "ignored_metrics": ignored,
            "guardrails": guardrails,
        }
        if text is not None:
            data["text"] = text
        return GoalSpec.model_validate(data)


class GoalDraft(GoalAmendment):
    """A goal as said: targets, guardrails and scope, plus factor and autonomy wishes."""

    primary: list[MetricTarget] = Field(min_length=1, description="metrics to improve")
    scope: str | None = Field(
        default=None, description=f"scenario family; one of: {', '.join(SCOPES)}"
    )

    def to_spec(self, text: str) -> GoalSpec:
        """Return the complete GoalSpec, with the documented defaults filled in."""
        tags = scope_tags(self.scope)
        metrics = [t.metric for t in self.primary]
        allowed: list[str] = []
        for metric in metrics:
            allowed += [f for f in METRIC_FACTORS[metric] if f not in allowed]
        guarded = [g.metric for g in self.guardrails]
        base = GoalSpec(
            text=text,
            primary=self.primary,
            guardrails=[*self.guardrails, *default_guardrails(metrics, guarded, self.ignore)],
            allowed_factors=allowed,
            scope=None if tags is None else self.scope,
            scenario_tags=list(tags or ()),
        )
        fields = set(GoalAmendment.model_fields) - {"guardrails"}
        amendment = GoalAmendment.model_validate(self.model_dump(include=fields))
        return amendment.apply(base)


def scope_tags(scope: str | None) -> tuple[str, ...] | None:
    """Return the scenario tags of a scope phrase; None means every scenario."""
    if scope is None or scope.strip().lower() in EVERYTHING:
        return None
    key = scope.strip().lower()
    if key not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known scopes: {', '.join(SCOPES)}")
    return SCOPES[key]


def default_guardrails(
    primary: Sequence[str], guarded: Sequence[str], ignored: Sequence[str]
) -> list[Guardrail]:
    """Return the default guardrails for metrics the owner did not mention."""
    skip = {*primary, *guarded, *ignored}
    defaults: list[Guardrail] = []

    def add(metric: str, margin: float, relative: bool = False) -> None:
        if metric not in skip:
            defaults.append(
                Guardrail.model_validate(
                    {
                        "metric": metric,
                        "kind": "non_inferiority",
                        "margin": margin,
                        "relative": relative,
                        "source": "default",
                    }
                )
            )

    if "hallucination_rate" in primary:
        add("abstention_rate", 0.05)
    else:
        add("hallucination_rate", 0.02)
    if not QUALITY_METRICS & set(primary):
        add("answer_f1", 0.02)
    add("error_rate", 0.01)
    add("latency_ms_p95", 0.2, relative=True)
    add("cost_per_probe_usd", 0.2, relative=True)
    return defaults


def problems_of(error: Exception) -> list[str]:
    """Return the readable problems of a validation failure."""
    if isinstance(error, ValidationError):
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"] if not isinstance(p, int))
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        return problems
    return [str(error)]

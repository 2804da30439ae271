"""What the Teacher needs from a goal, and what it remembers of finished experiments.

`ExperimentGoal` is deliberately small and plain: the campaign graph maps the Manager's
GoalSpec onto it (primary targets, non-inferiority guardrails with margins in the metric's
unit, allowed factors, the autonomy policy). `ExperimentRecord` is one finished experiment
as the hypothesis generator needs it: what each arm ran and what it measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from selflearn.agents.metrics import get_metric
from selflearn.agents.teacher.metrics import metric_spec
from selflearn.agents.teacher.stats import MetricSpec, Verdict
from selflearn.errors import InvalidInputError
from selflearn.space import REGISTRY
from selflearn.tuner import AutonomyPolicy

Direction = Literal["increase", "decrease"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PrimaryMetric(_Frozen):
    """A metric the experiment should move; ``direction`` defaults to its better direction."""

    name: str
    direction: Direction | None = None

    @model_validator(mode="after")
    def _known_and_consistent(self) -> PrimaryMetric:
        better: Direction = "increase" if get_metric(self.name).higher_is_better else "decrease"
        if self.direction is not None and self.direction != better:
            raise ValueError(
                f"{self.name} is better when it is {'higher' if better == 'increase' else 'lower'}"
                f"; a goal to {self.direction} it would reward making things worse"
            )
        return self


class GuardrailMetric(_Frozen):
    """A metric that may get worse by at most ``margin`` (in its own unit)."""

    name: str
    margin: float = Field(ge=0)

    @field_validator("name")
    @classmethod
    def _known(cls, name: str) -> str:
        get_metric(name)
        return name


class ExperimentGoal(_Frozen):
    """Primary metrics, guardrails, the factors experiments may vary, and the test plan.

    ``assumed_effect_sd`` is the effect the plan is sized for, in standard deviations of the
    paired per-episode differences: 0.3 is a small-to-medium effect, detectable with about
    171 pairs at alpha 0.05 and power 0.8. ``max_pairs`` caps the episodes per arm; by
    default twice the planned number, so one inconclusive look may continue.
    """

    primary: tuple[PrimaryMetric, ...] = Field(min_length=1)
    guardrails: tuple[GuardrailMetric, ...] = ()
    allowed_factors: tuple[str, ...] = Field(min_length=1)
    #: Factors the goal allows but this Student does not read (left out of `allowed_factors`;
    #: named so that a rule prescribing one says why it is not tested).
    ignored_factors: tuple[str, ...] = ()
    autonomy: AutonomyPolicy = Field(default_factory=AutonomyPolicy)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    power: float = Field(default=0.8, gt=0, lt=1)
    assumed_effect_sd: float = Field(default=0.3, gt=0)
    max_pairs: int | None = Field(default=None, ge=2)

    @field_validator("primary", mode="before")
    @classmethod
    def _names_to_metrics(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return [{"name": item} if isinstance(item, str) else item for item in value]

    @field_validator("guardrails", mode="before")
    @classmethod
    def _mapping_to_guardrails(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return [{"name": name, "margin": margin} for name, margin in value.items()]
        return value

    @field_validator("allowed_factors")
    @classmethod
    def _known_factors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in REGISTRY]
        if unknown:
            raise ValueError(
                f"unknown factor(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}"
            )
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _distinct_metrics(self) -> ExperimentGoal:
        names = [m.name for m in self.primary] + [g.name for g in self.guardrails]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"a metric is both a target and a guardrail, or twice: {repeated}")
        return self

    def metric_specs(self) -> list[MetricSpec]:
        """Return the statistics specs: primaries first, then guardrails with margins."""
        specs = [metric_spec(m.name) for m in self.primary]
        specs += [metric_spec(g.name, role="guardrail", margin=g.margin) for g in self.guardrails]
        return specs

    @property
    def objective(self) -> PrimaryMetric:
        """Return the metric the hypothesis search optimises: the first primary."""
        return self.primary[0]


class ExperimentRecord(_Frozen):
    """A finished experiment: each arm's full parameters and its mean primary metrics."""

    experiment_id: str
    arm_params: dict[str, dict[str, Any]]
    primary_means: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    verdicts: dict[str, Verdict] = Field(default_factory=dict)

    def objective_values(self, metric: str) -> list[tuple[dict[str, Any], float]]:
        """Return (arm params, observed mean of ``metric``) for every arm that measured it."""
        found = []
        for arm, params in self.arm_params.items():
            value = self.primary_means.get(arm, {}).get(metric)
            if value is not None and math.isfinite(value):
                found.append((params, float(value)))
        return found


def normalise(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return every registry factor with a coerced value (defaults fill the gaps)."""
    merged = {name: spec.default for name, spec in REGISTRY.items()}
    for name, value in params.items():
        spec = REGISTRY.get(name)
        if spec is None:
            continue
        try:
            merged[name] = spec.validate(value)
        except InvalidInputError:
            merged[name] = value
    return merged


def config_key(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return a hashable identity of a full configuration (1 and 1.0 stay the same factor)."""
    return tuple(sorted((name, repr(value)) for name, value in normalise(params).items()))


def tested_keys(history: Iterable[ExperimentRecord]) -> set[tuple[tuple[str, str], ...]]:
    """Return the configurations any arm of any finished experiment already ran."""
    return {config_key(params) for record in history for params in record.arm_params.values()}

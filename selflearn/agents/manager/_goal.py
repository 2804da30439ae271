"""GoalSpec: the owner's "I want", typed: targets, guardrails, factors, autonomy and scope."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from selflearn.agents.manager._catalog import METRICS, MetricName, metric_label, resolve_factor
from selflearn.agents.manager._format import format_level, format_margin
from selflearn.tuner import AutonomyPolicy

Direction = Literal["decrease", "increase"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricTarget(_Strict):
    """A primary metric: which way it should move and, optionally, how far.

    `target` is an absolute level to reach (≤ for decrease, ≥ for increase);
    `relative_change` a signed share of the baseline (-0.2 = down by 20 %). With neither,
    any significant move in `direction` counts.
    """

    metric: MetricName
    direction: Direction
    target: float | None = None
    relative_change: float | None = Field(default=None, ge=-1.0, le=10.0)

    @model_validator(mode="after")
    def _consistent(self) -> MetricTarget:
        info = METRICS[self.metric]
        better = "increase" if info.higher_is_better else "decrease"
        if self.direction != better:
            raise ValueError(
                f"{self.metric} is better when {'higher' if info.higher_is_better else 'lower'}"
                f"; a goal to {self.direction} it would make things worse"
            )
        if self.target is not None:
            _check_level(self.metric, self.target)
        if self.relative_change is not None and (self.relative_change < 0) != (
            self.direction == "decrease"
        ):
            raise ValueError(f"relative_change of {self.metric} must match its direction")
        return self

    def describe(self) -> str:
        """Return the target in words."""
        label = metric_label(self.metric)
        verb = "bring down" if self.direction == "decrease" else "raise"
        if self.target is not None:
            bound = "or less" if self.direction == "decrease" else "or more"
            return f"{verb} {label} to {format_level(self.metric, self.target)} {bound}"
        if self.relative_change is not None:
            return f"{verb} {label} by {abs(self.relative_change) * 100:g} % of its baseline"
        return f"{verb} {label}"


class Guardrail(_Strict):
    """A constraint a change must respect.

    `non_inferiority`: the metric may get worse than the baseline by at most `margin`
    (in the metric's unit, or a share of the baseline when `relative`). `limit`: the metric
    must stay `op` `limit` (an absolute level). `source` says whether the owner asked for
    it or it is one of the Manager's defaults.
    """

    metric: MetricName
    kind: Literal["non_inferiority", "limit"]
    margin: float | None = Field(default=None, ge=0)
    relative: bool = False
    op: Literal["<=", ">="] | None = None
    limit: float | None = None
    source: Literal["owner", "default"] = "owner"

    @model_validator(mode="after")
    def _consistent(self) -> Guardrail:
        if self.kind == "non_inferiority" and (self.margin is None or self.limit is not None):
            raise ValueError(f"a non-inferiority guardrail on {self.metric} needs a margin only")
        if self.kind == "limit":
            if self.limit is None or self.op is None or self.margin is not None:
                raise ValueError(f"a limit guardrail on {self.metric} needs op and limit only")
            _check_level(self.metric, self.limit)
        return self

    def absolute_margin(self, baseline: float | None) -> float | None:
        """Return the non-inferiority margin in the metric's unit, given the baseline level."""
        if self.margin is None:
            return None
        if not self.relative:
            return self.margin
        return None if baseline is None else self.margin * abs(baseline)

    def describe(self) -> str:
        """Return the guardrail in words."""
        label = metric_label(self.metric)
        if self.kind == "limit" and self.limit is not None:
            word = "at most" if self.op == "<=" else "at least"
            text = f"{label} must stay {word} {format_level(self.metric, self.limit)}"
        else:
            worse = "drop" if METRICS[self.metric].higher_is_better else "rise"
            margin = format_margin(self.metric, self.margin or 0.0, relative=self.relative)
            text = f"{label} must not {worse} by more than {margin}"
        return text + (" (default)" if self.source == "default" else "")


def _check_level(metric: str, value: float) -> None:
    if value < 0:
        raise ValueError(f"{metric} cannot be negative")
    if METRICS[metric].fraction and value > 1:
        raise ValueError(f"{metric} is a {METRICS[metric].unit} between 0 and 1, got {value:g}")


class GoalSpec(_Strict):
    """A goal the campaign graph can run: everything the owner said, typed and complete."""

    text: str = Field(default="", description="the owner's words")
    primary: list[MetricTarget] = Field(min_length=1)
    guardrails: list[Guardrail] = Field(default_factory=list)
    allowed_factors: list[str] = Field(
        min_length=1, description="impact factors experiments may vary"
    )
    forbidden_factors: list[str] = Field(default_factory=list)
    autonomy: AutonomyPolicy = Field(default_factory=AutonomyPolicy)
    ignored_metrics: list[MetricName] = Field(
        default_factory=list, description="metrics neither targeted nor guarded"
    )
    scope: str | None = None
    scenario_tags: list[str] = Field(default_factory=list)

    @field_validator("allowed_factors", "forbidden_factors")
    @classmethod
    def _resolve(cls, names: list[str]) -> list[str]:
        resolved: list[str] = []
        for name in names:
            full = resolve_factor(name)
            if full not in resolved:
                resolved.append(full)
        return resolved

    @model_validator(mode="after")
    def _coherent(self) -> GoalSpec:
        problems = []
        primaries = [t.metric for t in self.primary]
        if len(set(primaries)) != len(primaries):
            problems.append("a metric appears twice among the targets")
        for metric in self.ignored_metrics:
            if metric in primaries or any(g.metric == metric for g in self.guardrails):
                problems.append(f"{metric} cannot be both ignored and targeted or guarded")
        for guard in self.guardrails:
            if guard.metric in primaries and guard.kind == "non_inferiority":
                problems.append(f"{guard.metric} is a target; it needs no non-inferiority guard")
        clash = set(self.allowed_factors) & set(self.forbidden_factors)
        if clash:
            problems.append(f"{', '.join(sorted(clash))} cannot be both allowed and forbidden")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def zone_of(self, factor: str) -> Literal["auto", "manual", "forbidden", "not allowed"]:
        """Return whether the Tuner may change `factor` alone, only with approval, or not."""
        if factor in self.forbidden_factors:
            return "forbidden"
        if factor not in self.allowed_factors:
            return "not allowed"
        reason = self.autonomy.needs_approval(factor, None, None)
        return "manual" if reason else "auto"

    def summary(self) -> str:
        """Return the goal in plain words, as the Manager restates it before saving."""
        lines = ["Goal: " + "; ".join(t.describe() for t in self.primary) + self._scope_words()]
        if self.guardrails:
            lines.append("Guardrails: " + "; ".join(g.describe() for g in self.guardrails) + ".")
        if self.ignored_metrics:
            names = ", ".join(metric_label(m) for m in self.ignored_metrics)
            lines.append(f"Left alone (neither a target nor a guardrail): {names}.")
        auto = [f for f in self.allowed_factors if self.zone_of(f) == "auto"]
        manual = [f for f in self.allowed_factors if self.zone_of(f) == "manual"]
        lines.append("Factors I may experiment with: " + ", ".join(self.allowed_factors) + ".")
        if auto:
            lines.append("The Tuner may apply changes to these alone: " + ", ".join(auto) + ".")
        if manual:
            lines.append("Changes to these wait for your approval: " + ", ".join(manual) + ".")
        steps = [f"{name} {limit.describe()}" for name, limit in self.autonomy.max_step.items()]
        if steps:
            lines.append("Largest step per change: " + ", ".join(steps) + ".")
        if self.forbidden_factors:
            lines.append("Never touched: " + ", ".join(self.forbidden_factors) + ".")
        return "\n".join(lines)

    def _scope_words(self) -> str:
        if not self.scope:
            return ", on every scenario."
        tags = ", ".join(self.scenario_tags)
        return f", on {self.scope} scenarios (tags: {tags})."

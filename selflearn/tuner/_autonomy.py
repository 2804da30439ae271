"""Autonomy: which changes the Tuner may apply alone and which wait for the owner."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from selflearn.space import REGISTRY

DEFAULT_COOLDOWN = timedelta(hours=1)


class StepLimit(BaseModel):
    """The largest change one update may make to a numeric factor.

    `absolute` is in the factor's unit (top_k ±5); `relative` is a share of the current
    value (0.5 = ±50 %). With both, a step must respect both.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    absolute: float | None = Field(default=None, gt=0)
    relative: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _some_limit(self) -> StepLimit:
        if self.absolute is None and self.relative is None:
            raise ValueError("a step limit needs `absolute`, `relative` or both")
        return self

    def exceeded_by(self, before: float, after: float) -> str | None:
        """Return why the step `before` -> `after` is too large, or None when it fits."""
        step = abs(after - before)
        if self.absolute is not None and step > self.absolute + 1e-12:
            return f"step {step:g} exceeds the maximum of ±{self.absolute:g}"
        if self.relative is not None:
            allowed = self.relative * abs(before)
            if step > allowed + 1e-12:
                return (
                    f"step {step:g} exceeds ±{self.relative:.0%} of the current value "
                    f"(±{allowed:g})"
                )
        return None

    def describe(self) -> str:
        """Return the limit in words."""
        parts = []
        if self.absolute is not None:
            parts.append(f"±{self.absolute:g}")
        if self.relative is not None:
            parts.append(f"±{self.relative:.0%}")
        return " and ".join(parts)


#: Step limits that apply unless a policy sets its own for the factor.
DEFAULT_MAX_STEPS: dict[str, StepLimit] = {
    "retrieval.top_k": StepLimit(absolute=5),
    "retrieval.relevance_weight": StepLimit(absolute=0.3),
    "retrieval.recency_weight": StepLimit(absolute=0.3),
    "retrieval.recency_half_life_days": StepLimit(relative=1.0),
    "retrieval.keyword_count": StepLimit(absolute=4),
    "retrieval.min_relevance": StepLimit(absolute=0.3),
    "context.max_tokens": StepLimit(relative=0.5),
    "responder.temperature": StepLimit(absolute=0.5),
}


def _known(names: Any) -> Any:
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; known: {', '.join(REGISTRY)}"
        )
    return names


class AutonomyPolicy(BaseModel):
    """How far the Tuner may go without asking; the Manager's GoalSpec embeds one.

    Manual-zone factors of the registry always need approval, whatever the policy says.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed: list[str] | None = Field(
        default=None, description="factors the Tuner may change alone; None = every auto factor"
    )
    manual: list[str] = Field(
        default_factory=list, description="factors forced into the manual zone"
    )
    max_step: dict[str, StepLimit] = Field(
        default_factory=dict, description="step limits on top of (and overriding) the defaults"
    )
    cooldown: timedelta = Field(
        default=DEFAULT_COOLDOWN, description="minimum time between two changes of a factor"
    )
    cooldowns: dict[str, timedelta] = Field(
        default_factory=dict, description="per-factor cooldowns overriding `cooldown`"
    )

    @field_validator("allowed", "manual")
    @classmethod
    def _known_names(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known(value)

    @field_validator("max_step", "cooldowns")
    @classmethod
    def _known_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        _known(value)
        return value

    @field_validator("cooldown")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("a cooldown cannot be negative")
        return value

    def step_limit(self, param: str) -> StepLimit | None:
        """Return the step limit of a factor (the policy's, else the default), if any."""
        return self.max_step.get(param, DEFAULT_MAX_STEPS.get(param))

    def cooldown_for(self, param: str) -> timedelta:
        """Return how long a factor rests after each change."""
        return self.cooldowns.get(param, self.cooldown)

    def longest_cooldown(self) -> timedelta:
        """Return the longest cooldown any factor has under this policy."""
        return max([self.cooldown, *self.cooldowns.values()])

    def needs_approval(self, param: str, before: Any, after: Any) -> str | None:
        """Return why changing `param` from `before` to `after` needs the owner, or None."""
        spec = REGISTRY[param]
        if spec.zone == "manual":
            return f"{param} is in the manual zone"
        if param in self.manual:
            return f"{param} is manual under the autonomy policy"
        if self.allowed is not None and param not in self.allowed:
            return f"{param} is not among the factors the autonomy policy allows"
        limit = self.step_limit(param)
        if limit is not None and _is_number(before) and _is_number(after):
            problem = limit.exceeded_by(float(before), float(after))
            if problem:
                return f"{param} {before!r} -> {after!r}: {problem}"
        return None


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )

"""A hypothesis, and the experiment plan the Teacher hands on to the Tuner and the runner."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from selflearn.agents.teacher.stats import MetricSpec

Source = Literal["rule", "llm", "search"]
BASELINE = "baseline"


class Hypothesis(BaseModel):
    """Changes worth testing against the active values, where they came from, and why.

    ``variants`` maps each variant's name to the factors it changes (new values only); the
    baseline runs the active values of the same factors.
    """

    model_config = ConfigDict(frozen=True)

    source: Source
    variants: dict[str, dict[str, Any]] = Field(min_length=1)
    rationale: str
    rule: str | None = None

    @property
    def factors(self) -> list[str]:
        """Return every factor any variant changes, in first-seen order."""
        return list(dict.fromkeys(name for changes in self.variants.values() for name in changes))


class ExperimentPlan(BaseModel):
    """Everything needed to run and judge one experiment.

    ``prepare`` is the `prepare_experiment` payload; ``arm_params`` are the full parameters
    each arm runs (the active ones with the arm's changes), kept so the hypothesis search can
    learn from the result. ``planned_pairs`` is what the sequential test is tuned for and
    ``max_pairs`` the budget: paired episodes per arm beyond which the experiment stops.
    """

    model_config = ConfigDict(frozen=True)

    experiment_id: str
    prepare: dict[str, Any]
    hypothesis: str
    rationale: str = ""
    """Why this hypothesis (the rule, the search or the model), the tail of ``hypothesis``."""
    source: Source
    rule: str | None = None
    changes: dict[str, dict[str, Any]]
    baseline: dict[str, Any]
    arm_params: dict[str, dict[str, Any]]
    metrics: list[MetricSpec]
    assumed_effect_sd: float
    alpha: float
    power: float
    planned_pairs: int
    max_pairs: int
    notes: list[str] = Field(default_factory=list)
    """Proposals that were dropped on the way, and why (journalled with the hypothesis)."""

    @property
    def arms(self) -> list[str]:
        """Return the arm names, baseline first."""
        return [variant["name"] for variant in self.prepare["variants"]]

    @property
    def variants(self) -> list[str]:
        """Return the names of the arms that are not the baseline."""
        return [arm for arm in self.arms if arm != BASELINE]

    @property
    def max_episodes(self) -> int:
        """Return the episode budget over every arm."""
        return self.max_pairs * len(self.arms)

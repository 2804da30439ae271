"""What an experiment evaluation takes in and gives back (stored as JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from selflearn.agents.teacher.stats._decision import Verdict
from selflearn.agents.teacher.stats._json import JsonFloat
from selflearn.agents.teacher.stats._multiple import Correction
from selflearn.agents.teacher.stats._srm import SampleRatioCheck

MetricRole = Literal["primary", "guardrail"]
GuardrailStatus = Literal["safe", "not_yet_safe", "violated"]
Movement = Literal["better", "worse", "no clear change"]


class MetricSpec(BaseModel):
    """A metric of the experiment and how it counts in the verdict.

    A primary metric can make the variant a winner or a loser. A guardrail only has to stay
    within ``margin``: the largest degradation, in the metric's own units, that is acceptable
    in exchange for a primary gain (for example 0.02 of recall, or 50 ms of latency).
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    higher_is_better: bool = True
    role: MetricRole = "primary"
    margin: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _margin_matches_role(self) -> MetricSpec:
        if self.role == "guardrail" and self.margin is None:
            raise ValueError(f"guardrail {self.name!r} needs a non-inferiority margin")
        if self.role == "primary" and self.margin is not None:
            raise ValueError(f"primary metric {self.name!r} takes no margin; make it a guardrail")
        return self


class MetricDelta(BaseModel):
    """How one metric moved from the baseline to one variant."""

    model_config = ConfigDict(frozen=True)

    metric: str
    role: MetricRole
    higher_is_better: bool
    effect: JsonFloat
    """Mean of ``variant - baseline`` over paired episodes."""
    ci_low: JsonFloat
    ci_high: JsonFloat
    confidence: float
    """Level of the interval: 1 - alpha for primaries, Bonferroni-adjusted for guardrails."""
    p_value: float
    """Anytime p-value for "no difference"."""
    adjusted_p_value: float | None
    """For primaries: after the correction across every primary metric of every variant."""
    n: int
    movement: Movement
    margin: float | None
    guardrail: GuardrailStatus | None
    extra_needed: int | None
    """More paired episodes that would settle this metric (None if settled or out of reach)."""
    summary: str


class ExperimentVerdict(BaseModel):
    """The verdict for one variant against the baseline."""

    model_config = ConfigDict(frozen=True)

    variant: str
    baseline: str
    verdict: Verdict
    valid: bool
    """False when the sample-ratio check failed: the verdict is then forced to inconclusive."""
    deltas: list[MetricDelta]
    side_effects: list[str]
    """Guardrail movements in plain words."""
    reasons: list[str]
    extra_needed: int | None
    """For inconclusive: more paired episodes that would most likely settle the verdict."""


class ExperimentReport(BaseModel):
    """Everything the Teacher concluded from one experiment at one look."""

    model_config = ConfigDict(frozen=True)

    baseline: str
    alpha: float
    correction: Correction
    planned_n: int
    sample_ratio: SampleRatioCheck
    verdicts: list[ExperimentVerdict]

"""Compare two simulations of the same scenarios and seeds, scenarios as the unit.

`selflearn simulate --compare V` plays every episode twice, on two parameter versions. A
scenario's episodes are averaged per version (its seeds are not independent samples of a
deterministic Student), and the scenario means are compared with `scenario_paired_test`:
at least `MIN_SCENARIOS` scenarios, and pairs that all move alike decide nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from selflearn.agents.metrics import HIGHER_IS_BETTER
from selflearn.agents.teacher.stats import (
    MIN_SCENARIOS,
    JsonFloat,
    Verdict,
    scenario_paired_test,
)
from selflearn.simulator.simulate import SimulationReport

__all__ = ["COMPARED", "MetricComparison", "compare_simulations"]

#: The metrics `simulate --compare` tests, answer quality first.
COMPARED: tuple[str, ...] = (
    "answer_correct_rate",
    "hallucination_rate",
    "false_abstention_rate",
    "abstention_rate",
    "recall",
    "precision",
)


class MetricComparison(BaseModel):
    """One metric of two simulations: the scenario means compared once."""

    model_config = ConfigDict(frozen=True)

    metric: str
    higher_is_better: bool
    baseline: float | None
    variant: float | None
    effect: JsonFloat
    ci_low: JsonFloat
    ci_high: JsonFloat
    p_value: float
    scenarios: int
    verdict: Verdict
    method: str
    reason: str


def _scenario_means(report: SimulationReport, metric: str) -> dict[tuple[str, int], float]:
    means = {}
    for summary in report.per_scenario:
        value = summary.metrics.get(metric)
        if value is not None and math.isfinite(value):
            means[(summary.scenario_id, 0)] = float(value)
    return means


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def compare_simulations(
    baseline: SimulationReport,
    variant: SimulationReport,
    *,
    metrics: Sequence[str] = COMPARED,
    alpha: float = 0.05,
    min_scenarios: int = MIN_SCENARIOS,
) -> list[MetricComparison]:
    """Return one comparison per metric of two simulations of the same scenarios.

    Only scenarios both simulations measured count; `baseline` and `variant` are the means
    of their scenario means over those scenarios.
    """
    compared = []
    for metric in metrics:
        before, after = _scenario_means(baseline, metric), _scenario_means(variant, metric)
        shared = sorted(set(before) & set(after))
        higher = HIGHER_IS_BETTER[metric]
        test = scenario_paired_test(
            before, after, higher_is_better=higher, alpha=alpha, min_scenarios=min_scenarios
        )
        compared.append(
            MetricComparison(
                metric=metric,
                higher_is_better=higher,
                baseline=_mean([before[k] for k in shared]),
                variant=_mean([after[k] for k in shared]),
                effect=test.effect,
                ci_low=test.ci_low,
                ci_high=test.ci_high,
                p_value=test.p_value,
                scenarios=test.n,
                verdict=test.verdict,
                method=test.method,
                reason=test.reason,
            )
        )
    return compared

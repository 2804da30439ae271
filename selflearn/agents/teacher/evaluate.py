"""Evaluate an experiment from the database: SQL metrics in, verdicts and stored results out.

The deterministic scores in `probe_results` are the source of truth. Each completed episode
is reduced to one value per metric (see `metrics` and `_sql`), episodes are paired across
arms by (scenario_id, seed), and only pairs that every arm completed enter the sequential
test, in the order they became complete. The sample-ratio check sees every completed
episode per arm, paired or not, so an arm that keeps losing episodes shows up.

Each look stores one `experiment_results` row per (variant, metric); evaluating the same
look again replaces its rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from selflearn.agents.metrics import BY_NAME
from selflearn.agents.teacher._goal import ExperimentRecord
from selflearn.agents.teacher._plan import BASELINE, ExperimentPlan
from selflearn.agents.teacher._sql import ARM_PROBES, EPISODE_METRICS, UNFINISHED
from selflearn.agents.teacher.metrics import MEASURED
from selflearn.agents.teacher.stats import (
    ExperimentReport,
    ExperimentVerdict,
    MetricDelta,
    align_pairs,
    evaluate_experiment,
)
from selflearn.errors import InvalidInputError, NotFoundError
from selflearn.store.models import Experiment, ExperimentResult


class ArmSummary(BaseModel):
    """What one arm measured: counts, and means over its paired episodes."""

    model_config = ConfigDict(frozen=True)

    arm: str
    episodes: int
    """Completed episodes counted for the arm (one per scenario and seed)."""
    paired: int
    probes: int
    """Probes of the paired episodes."""
    means: dict[str, float | None]
    """Mean of each metric's per-episode values over the paired episodes (all metrics)."""
    latency_ms_p95: float | None
    """95th percentile latency over every probe of the paired episodes."""
    tokens_per_probe: float | None
    cost_per_probe_usd: float | None


class Evaluation(BaseModel):
    """One look at one experiment: what was counted, and the verdict per variant."""

    model_config = ConfigDict(frozen=True)

    experiment_id: str
    look: int
    pairs: int
    """(scenario, seed) pairs that every arm completed: the sample of the test."""
    unfinished: int
    """Episodes of the experiment not (yet) completed; never counted."""
    counts: dict[str, int]
    arms: dict[str, ArmSummary]
    report: ExperimentReport

    @property
    def verdicts(self) -> list[ExperimentVerdict]:
        """Return the verdict of every variant against the baseline."""
        return list(self.report.verdicts)

    def verdict(self, variant: str) -> ExperimentVerdict:
        """Return the verdict of one variant."""
        for found in self.report.verdicts:
            if found.variant == variant:
                return found
        raise KeyError(f"no verdict for variant {variant!r}")


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _mean(values: Sequence[float]) -> float | None:
    array = np.asarray(values, dtype=np.float64)
    array = array[np.isfinite(array)]
    return float(array.mean()) if array.size else None


def _paired_data(
    rows: Sequence[Any], arms: Sequence[str]
) -> tuple[dict[str, int], dict[str, dict[str, list[float]]], dict[str, int]]:
    """Return counts per arm, per-arm metric lists aligned by pair, and probes per arm."""
    counts = dict.fromkeys(arms, 0)
    probes = dict.fromkeys(arms, 0)
    by_arm: dict[str, dict[int, Mapping[str, Any]]] = {arm: {} for arm in arms}
    for row in rows:
        counts[row["arm"]] += 1
        if row["paired"]:
            by_arm[row["arm"]][int(row["pair_order"])] = row
            probes[row["arm"]] += int(row["probes"])
    data: dict[str, dict[str, list[float]]] = {arm: {} for arm in arms}
    for name in MEASURED:
        _, values = align_pairs(
            {arm: {k: row[name] for k, row in by_order.items()} for arm, by_order in by_arm.items()}
        )
        for arm in arms:
            data[arm][name] = values[arm]
    return counts, data, probes


def _result_row(
    experiment_id: str,
    look: int,
    verdict: ExperimentVerdict,
    delta: MetricDelta,
    data: Mapping[str, Mapping[str, list[float]]],
    now: datetime | None,
) -> ExperimentResult:
    base = np.asarray(data[verdict.baseline][delta.metric], dtype=np.float64)
    var = np.asarray(data[verdict.variant][delta.metric], dtype=np.float64)
    both = np.isfinite(base) & np.isfinite(var)
    row = ExperimentResult(
        experiment_id=experiment_id,
        variant=verdict.variant,
        metric=delta.metric,
        look=look,
        n=delta.n,
        baseline_mean=_mean(base[both].tolist()),
        variant_mean=_mean(var[both].tolist()),
        effect=_finite(delta.effect),
        ci_low=_finite(delta.ci_low),
        ci_high=_finite(delta.ci_high),
        p_value=_finite(delta.p_value),
        verdict=verdict.verdict,
        details={"delta": delta.model_dump(mode="json"), "valid": verdict.valid},
    )
    if now is not None:
        row.created_at = now
    return row


def evaluate_experiment_sql(
    experiment_id: str,
    *,
    session: Session,
    plan: ExperimentPlan,
    look: int,
    now: datetime | None = None,
) -> Evaluation:
    """Evaluate ``experiment_id`` at ``look`` (1, 2, ...), store its results, return verdicts.

    The experiment must exist (prepared through the Tuner). ``now`` stamps the stored rows;
    without it the database clock does.
    """
    if plan.experiment_id != experiment_id:
        raise InvalidInputError(
            f"the plan is for {plan.experiment_id!r}, not {experiment_id!r}",
            hint="Pass the plan the experiment was designed with.",
        )
    if look < 1:
        raise InvalidInputError(f"looks are numbered from 1, got {look}")
    if session.get(Experiment, experiment_id) is None:
        raise NotFoundError(
            f"experiment {experiment_id!r} does not exist",
            hint="Prepare it first with the Tuner's prepare_experiment.",
        )
    unknown = [m.name for m in plan.metrics if m.name not in BY_NAME]
    if unknown:
        raise InvalidInputError(
            f"the plan names metric(s) the Teacher cannot measure: {', '.join(unknown)}",
            hint=f"Use metrics among {', '.join(BY_NAME)}.",
        )
    arms = plan.arms
    params = {"experiment_id": experiment_id, "arms": arms, "n_arms": len(arms)}
    rows = session.execute(text(EPISODE_METRICS), params).mappings().all()
    counts, data, probes = _paired_data(rows, arms)
    pairs = len(data[BASELINE][MEASURED[0]])
    report = evaluate_experiment(
        plan.metrics,
        {arm: {m.name: data[arm][m.name] for m in plan.metrics} for arm in arms},
        baseline=BASELINE,
        alpha=plan.alpha,
        planned_n=plan.planned_pairs,
        power=plan.power,
        counts=counts,
    )
    tails: dict[str, dict[str, Any]] = {
        row["arm"]: dict(row) for row in session.execute(text(ARM_PROBES), params).mappings()
    }
    summaries = {
        arm: ArmSummary(
            arm=arm,
            episodes=counts[arm],
            paired=pairs,
            probes=probes[arm],
            means={name: _mean(data[arm][name]) for name in MEASURED},
            latency_ms_p95=_optional(tails.get(arm, {}).get("latency_ms_p95")),
            tokens_per_probe=_optional(tails.get(arm, {}).get("tokens_per_probe")),
            cost_per_probe_usd=_optional(tails.get(arm, {}).get("cost_per_probe_usd")),
        )
        for arm in arms
    }
    unfinished = int(session.execute(text(UNFINISHED), params).scalar_one())

    session.execute(
        delete(ExperimentResult).where(
            ExperimentResult.experiment_id == experiment_id, ExperimentResult.look == look
        )
    )
    session.add_all(
        _result_row(experiment_id, look, verdict, delta, data, now)
        for verdict in report.verdicts
        for delta in verdict.deltas
    )
    session.flush()
    return Evaluation(
        experiment_id=experiment_id,
        look=look,
        pairs=pairs,
        unfinished=unfinished,
        counts=counts,
        arms=summaries,
        report=report,
    )


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def experiment_record(plan: ExperimentPlan, evaluation: Evaluation) -> ExperimentRecord:
    """Return what the hypothesis generator keeps of a finished experiment."""
    primaries = [m.name for m in plan.metrics if m.role == "primary"]
    return ExperimentRecord(
        experiment_id=plan.experiment_id,
        arm_params=plan.arm_params,
        primary_means={
            arm: {name: summary.means.get(name) for name in primaries}
            for arm, summary in evaluation.arms.items()
        },
        verdicts={v.variant: v.verdict for v in evaluation.verdicts},
    )

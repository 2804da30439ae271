"""Evaluate a whole experiment: every metric of every variant against the baseline.

Error control, in one place:

* primaries: one anytime p-value per (variant, primary metric), corrected together across the
  family with ``correction`` (Holm by default), each compared with ``alpha``;
* guardrails: a non-inferiority check on each (variant, guardrail) confidence sequence (see
  `_deltas`), at level ``alpha / number of guardrail checks`` (Bonferroni: an interval, not
  a p-value, has to be adjusted);
* the sample-ratio check gates everything: on a mismatch no verdict is valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from selflearn.agents.teacher.stats._decision import DEFAULT_PLANNED_N, Decision, Verdict, decide
from selflearn.agents.teacher.stats._deltas import guardrail_delta, primary_delta
from selflearn.agents.teacher.stats._multiple import Correction, adjust_pvalues
from selflearn.agents.teacher.stats._report import (
    ExperimentReport,
    ExperimentVerdict,
    MetricDelta,
    MetricSpec,
)
from selflearn.agents.teacher.stats._srm import SRM_THRESHOLD, check_sample_ratio

#: Per arm, per metric: one value per episode, aligned across arms; NaN where missing.
ArmData = Mapping[str, Mapping[str, Sequence[float]]]


def _validate(metrics: Sequence[MetricSpec], data: ArmData, baseline: str) -> None:
    """Refuse experiments that cannot be evaluated, saying why."""
    if not any(m.role == "primary" for m in metrics):
        raise ValueError("an experiment needs at least one primary metric")
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        raise ValueError(f"metric names must be unique, got {names}")
    if baseline not in data:
        raise ValueError(f"no data for the baseline arm {baseline!r}; arms are {sorted(data)}")
    if len(data) < 2:
        raise ValueError("an experiment needs the baseline and at least one variant")
    lengths = set()
    for arm, values in data.items():
        for name in names:
            if name not in values:
                raise ValueError(f"arm {arm!r} has no values for metric {name!r}")
            lengths.add(len(values[name]))
    if len(lengths) != 1:
        raise ValueError(
            "every arm and metric needs one value per episode (NaN where missing), "
            f"but the lists have lengths {sorted(lengths)}"
        )


def _completed(values: Mapping[str, Sequence[float]], metrics: Sequence[MetricSpec]) -> int:
    stacked = np.array([values[m.name] for m in metrics], dtype=np.float64)
    return int(np.isfinite(stacked).any(axis=0).sum())


def _verdict(
    variant: str, baseline: str, deltas: list[MetricDelta], valid: bool, srm_reason: str
) -> ExperimentVerdict:
    primaries = [d for d in deltas if d.role == "primary"]
    guards = [d for d in deltas if d.role == "guardrail"]
    better = [d for d in primaries if d.movement == "better"]
    worse = [d for d in primaries if d.movement == "worse"]
    violated = [d for d in guards if d.guardrail == "violated"]
    pending = [d for d in guards if d.guardrail == "not_yet_safe"]
    reasons = [d.summary for d in primaries]
    side_effects = [d.summary for d in guards]
    verdict: Verdict = "inconclusive"
    extra: int | None = None

    if not valid:
        reasons.insert(0, f"verdict withheld: {srm_reason}; fix the assignment and rerun")
    elif violated:
        verdict = "loser"
        reasons.insert(0, "a guardrail is violated: " + ", ".join(d.metric for d in violated))
    elif worse and not better:
        verdict = "loser"
        reasons.insert(0, "worse on " + ", ".join(d.metric for d in worse))
    elif worse and better:
        reasons.insert(
            0,
            f"a trade-off: better on {', '.join(d.metric for d in better)} but worse on "
            f"{', '.join(d.metric for d in worse)}; make one of them a guardrail with a margin",
        )
    elif better and not pending:
        verdict = "winner"
        reasons.insert(0, "better on " + ", ".join(d.metric for d in better) + ", guardrails safe")
    else:
        extra = _extra_for_verdict(primaries, pending, settled_primary=bool(better))
        head = "no primary metric has moved clearly yet"
        if better:
            head = (
                f"better on {', '.join(d.metric for d in better)}, but not yet shown safe on "
                f"{', '.join(d.metric for d in pending)}"
            )
        if extra is None:
            reasons.insert(0, f"{head}; no practical number of episodes is likely to settle it")
        else:
            reasons.insert(0, f"{head}; about {extra} more paired episodes would likely settle it")
    return ExperimentVerdict(
        variant=variant,
        baseline=baseline,
        verdict=verdict,
        valid=valid,
        deltas=deltas,
        side_effects=side_effects,
        reasons=reasons,
        extra_needed=extra,
    )


def _extra_for_verdict(
    primaries: list[MetricDelta], pending: list[MetricDelta], *, settled_primary: bool
) -> int | None:
    """Return the episodes until one primary is settled and every pending guardrail is."""
    needs: list[int | None] = [d.extra_needed for d in pending]
    if not settled_primary:
        candidates = [d.extra_needed for d in primaries if d.extra_needed is not None]
        needs.append(min(candidates) if candidates else None)
    if any(n is None for n in needs):
        return None
    return max((n for n in needs if n is not None), default=None)


def evaluate_experiment(
    metrics: Sequence[MetricSpec],
    data: ArmData,
    *,
    baseline: str = "baseline",
    alpha: float = 0.05,
    correction: Correction = "holm",
    planned_n: int = DEFAULT_PLANNED_N,
    power: float = 0.8,
    counts: Mapping[str, int] | None = None,
    planned_split: Mapping[str, float] | None = None,
    srm_threshold: float = SRM_THRESHOLD,
) -> ExperimentReport:
    """Return a verdict per variant, with deltas, guardrail side effects and reasons.

    ``data[arm][metric]`` lists one value per episode in arrival order, aligned across arms
    (episode ``i`` ran the same scenario and seed in every arm); use NaN where an arm has no
    value. ``counts`` are the episodes each arm completed, for the sample-ratio check; by
    default an episode counts for an arm when any of its metrics has a value.
    """
    _validate(metrics, data, baseline)
    variants = [arm for arm in data if arm != baseline]
    observed = (
        counts if counts is not None else {a: _completed(v, metrics) for a, v in data.items()}
    )
    srm = check_sample_ratio(observed, planned_split, threshold=srm_threshold)

    primaries = [m for m in metrics if m.role == "primary"]
    guards = [m for m in metrics if m.role == "guardrail"]
    family = len(primaries) * len(variants)
    guard_alpha = alpha / max(1, len(guards) * len(variants))

    def run(spec: MetricSpec, variant: str, level: float) -> Decision:
        return decide(
            data[baseline][spec.name],
            data[variant][spec.name],
            higher_is_better=spec.higher_is_better,
            alpha=level,
            planned_n=planned_n,
            power=power,
        )

    primary_decisions = {(v, m.name): run(m, v, alpha) for v in variants for m in primaries}
    keys = list(primary_decisions)
    adjusted = dict(
        zip(
            keys,
            adjust_pvalues([primary_decisions[k].p_value for k in keys], correction),
            strict=True,
        )
    )

    verdicts = []
    for variant in variants:
        deltas = [
            primary_delta(
                m,
                primary_decisions[(variant, m.name)],
                adjusted[(variant, m.name)],
                family=family,
                power=power,
            )
            for m in primaries
        ]
        deltas += [guardrail_delta(m, run(m, variant, guard_alpha), power=power) for m in guards]
        verdicts.append(_verdict(variant, baseline, deltas, not srm.mismatch, srm.reason))
    return ExperimentReport(
        baseline=baseline,
        alpha=alpha,
        correction=correction,
        planned_n=planned_n,
        sample_ratio=srm,
        verdicts=verdicts,
    )

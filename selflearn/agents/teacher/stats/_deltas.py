"""Per-metric deltas: a primary metric's corrected test, a guardrail's non-inferiority check.

A guardrail is judged on its *degradation*, the change in the metric's bad direction, with the
confidence sequence turned the same way:

* safe: the whole interval of the degradation lies below the margin, so any loss is shown to
  be smaller than what was agreed to be acceptable (an improvement is always safe);
* violated: the whole interval lies above the margin, so the loss is shown to be too large;
* not yet safe: the interval still contains the margin; more episodes will tell.

Only "safe" lets a variant win: a guardrail nobody has shown to hold is not assumed to hold.
"""

from __future__ import annotations

import math
from typing import Any

from selflearn.agents.teacher.stats._decision import Decision
from selflearn.agents.teacher.stats._power import extra_pairs
from selflearn.agents.teacher.stats._report import (
    GuardrailStatus,
    MetricDelta,
    MetricSpec,
    Movement,
)
from selflearn.agents.teacher.stats._wording import interval, signed


def _movement(d: Decision, significant: bool) -> Movement:
    if not significant:
        return "no clear change"
    return "better" if d.verdict == "winner" else "worse"


def guardrail_status(spec: MetricSpec, d: Decision) -> GuardrailStatus:
    """Return whether the degradation interval of ``d`` lies below, above or across the margin."""
    margin = spec.margin or 0.0
    worst, best = (-d.ci_low, -d.ci_high) if spec.higher_is_better else (d.ci_high, d.ci_low)
    if worst < margin:
        return "safe"
    if best > margin:
        return "violated"
    return "not_yet_safe"


def primary_delta(
    spec: MetricSpec, d: Decision, adjusted_p: float, *, family: int, power: float
) -> MetricDelta:
    """Return a primary metric's delta, significant only when its adjusted p-value is."""
    significant = adjusted_p <= d.alpha
    extra = None
    if not significant:
        # Holm's strictest step needs the raw p-value below alpha / family size.
        extra = extra_pairs(
            d.effect, d.sd, d.n, g=d.mixture_variance, alpha=d.alpha / family, power=power
        )
    movement = _movement(d, significant)
    return _delta(
        spec,
        d,
        role="primary",
        movement=movement,
        adjusted_p_value=adjusted_p,
        margin=None,
        guardrail=None,
        extra_needed=extra,
        tail=f", adjusted p = {adjusted_p:.3g})",
    )


def _delta(
    spec: MetricSpec, d: Decision, *, movement: Movement, tail: str, **fields: Any
) -> MetricDelta:
    """Return a delta with the fields every role shares, and its one-line summary."""
    return MetricDelta(
        metric=spec.name,
        higher_is_better=spec.higher_is_better,
        effect=d.effect,
        ci_low=d.ci_low,
        ci_high=d.ci_high,
        confidence=1 - d.alpha,
        p_value=d.p_value,
        n=d.n,
        movement=movement,
        summary=(
            f"{spec.name}: {movement}, {signed(d.effect)} "
            f"({interval(d.ci_low, d.ci_high, 1 - d.alpha)}{tail}"
        ),
        **fields,
    )


def guardrail_delta(spec: MetricSpec, d: Decision, *, power: float) -> MetricDelta:
    """Return a guardrail's delta; ``d`` must come from `decide` at the guardrail's level."""
    status = guardrail_status(spec, d)
    margin = spec.margin or 0.0
    extra = None
    if status == "not_yet_safe" and math.isfinite(d.effect):
        degradation = -d.effect if spec.higher_is_better else d.effect
        extra = extra_pairs(
            degradation - margin, d.sd, d.n, g=d.mixture_variance, alpha=d.alpha, power=power
        )
    movement = _movement(d, d.p_value <= d.alpha)
    words = {
        "safe": f"within the margin of {margin:g}",
        "violated": f"degraded beyond the margin of {margin:g}",
        "not_yet_safe": f"not yet shown to stay within the margin of {margin:g}",
    }[status]
    return _delta(
        spec,
        d,
        role="guardrail",
        movement=movement,
        adjusted_p_value=None,
        margin=margin,
        guardrail=status,
        extra_needed=extra,
        tail=f"); {words}",
    )

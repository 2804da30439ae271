"""Sample-ratio check: did every arm receive the share of episodes it was planned to get?

A paired experiment runs every episode in every arm, so the arms should finish with the same
number of episodes. When one arm loses more (errors, time-outs, a broken assignment), the
episodes that remain are no longer comparable and no verdict can be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict
from scipy import stats

#: The conventional threshold: strict, because the check runs at every look.
SRM_THRESHOLD = 0.001


class SampleRatioCheck(BaseModel):
    """Chi-square goodness-of-fit of the observed counts per arm against the planned split."""

    model_config = ConfigDict(frozen=True)

    counts: dict[str, int]
    expected: dict[str, float]
    chi_square: float
    p_value: float
    threshold: float
    mismatch: bool
    reason: str


def check_sample_ratio(
    counts: Mapping[str, int],
    planned_split: Mapping[str, float] | None = None,
    *,
    threshold: float = SRM_THRESHOLD,
) -> SampleRatioCheck:
    """Compare episode counts per arm with the planned split (equal shares when None)."""
    if len(counts) < 2:
        raise ValueError("the sample-ratio check needs the counts of at least two arms")
    if any(c < 0 for c in counts.values()):
        raise ValueError("episode counts cannot be negative")
    split = dict(planned_split) if planned_split is not None else dict.fromkeys(counts, 1.0)
    if set(split) != set(counts):
        raise ValueError(
            f"planned split names arms {sorted(split)} but the counts name {sorted(counts)}"
        )
    if any(w <= 0 for w in split.values()):
        raise ValueError("every planned share must be positive")
    total = sum(counts.values())
    weight = sum(split.values())
    expected = {arm: total * split[arm] / weight for arm in counts}
    if total == 0:
        chi_square, p_value = 0.0, 1.0
    else:
        chi_square = sum((counts[a] - expected[a]) ** 2 / expected[a] for a in counts)
        p_value = float(stats.chi2.sf(chi_square, df=len(counts) - 1))
    mismatch = p_value < threshold
    observed = ", ".join(f"{arm} {counts[arm]}" for arm in counts)
    planned = ", ".join(f"{arm} {expected[arm]:.1f}" for arm in counts)
    verdict = "sample ratio mismatch" if mismatch else "sample ratio as planned"
    return SampleRatioCheck(
        counts=dict(counts),
        expected=expected,
        chi_square=chi_square,
        p_value=p_value,
        threshold=threshold,
        mismatch=mismatch,
        reason=f"{verdict}: observed {observed}; expected {planned} (p = {p_value:.3g})",
    )

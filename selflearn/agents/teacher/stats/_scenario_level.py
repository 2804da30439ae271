"""Inference with scenarios as the unit: average each scenario's episodes, then pair them.

Episodes of one scenario under different emulator seeds are not independent samples of what
a change does: a deterministic Student answers a scenario's questions the same way whatever
the seed, so counting seeds as pairs shrinks intervals without adding information. Here a
scenario's paired episodes are averaged first, and the paired sign-flip permutation test
(`_permutation`) runs on the scenario means, with a minimum number of scenarios. It replaced
the paired t-test here, whose level over 30 scenario means of mostly zero, bounded
differences is only approximate (`benchmarks/results/aa_scenario.md`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from selflearn.agents.teacher.stats._fixed import FixedComparison
from selflearn.agents.teacher.stats._pairing import align_pairs
from selflearn.agents.teacher.stats._permutation import permutation_paired_test

__all__ = ["MIN_SCENARIOS", "PairedTest", "scenario_paired_test"]

#: A one-look paired test: `permutation_paired_test` or `fixed_paired_test`.
PairedTest = Callable[..., FixedComparison]

#: Below this many scenarios a comparison decides nothing.
MIN_SCENARIOS = 10


def scenario_paired_test(
    baseline: Mapping[tuple[str, Any], Any],
    variant: Mapping[tuple[str, Any], Any],
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    min_scenarios: int = MIN_SCENARIOS,
    test: PairedTest = permutation_paired_test,
) -> FixedComparison:
    """Compare two arms keyed by (scenario, seed) with the scenarios as the unit.

    Only (scenario, seed) keys both arms measured count; each scenario's pairs are averaged
    per arm, and the scenario means are compared with `test` (by default the sign-flip
    permutation test; `fixed_paired_test` for the paired t-test).
    """
    keys, values = align_pairs({"baseline": baseline, "variant": variant})
    sums: dict[str, list[float]] = {}
    for key, before, after in zip(keys, values["baseline"], values["variant"], strict=True):
        if math.isfinite(before) and math.isfinite(after):
            total = sums.setdefault(key[0], [0.0, 0.0, 0.0])
            total[0] += before
            total[1] += after
            total[2] += 1
    scenarios = sorted(sums)
    result = test(
        [sums[s][0] / sums[s][2] for s in scenarios],
        [sums[s][1] / sums[s][2] for s in scenarios],
        higher_is_better=higher_is_better,
        alpha=alpha,
        min_n=min_scenarios,
    )
    return result.model_copy(
        update={
            "method": f"{result.method} over scenario means",
            "reason": result.reason.replace(" pairs", " scenarios"),
        }
    )

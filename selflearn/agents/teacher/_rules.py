"""Hypotheses from the self-improvement rules of SPEC §8, tested before they are applied.

The Tuner's `recommend_improvements` reads the recent cycles of the active version and says
what the seeds prescribe (precision < 0.7 for 3 cycles: top_k - 1; recall < 0.5 for 3
cycles: keyword_count + 2; hallucination rate > 0.1: A/B the prompt versions). The Teacher
turns each prescription into an experiment instead of applying it blindly, keeping only
factors the goal allows and variants no finished experiment already ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from selflearn.agents.teacher._goal import ExperimentGoal, config_key
from selflearn.agents.teacher._plan import BASELINE, Hypothesis
from selflearn.tuner import CycleMetrics, Recommendation, recommend_improvements

#: Reference time when the caller gives none: rule cooldowns then cannot be judged.
_NO_CLOCK = datetime(1970, 1, 1, tzinfo=UTC)


def _rule_variants(recommendation: Recommendation) -> dict[str, dict[str, Any]]:
    if recommendation.update is not None:
        return {"variant": {c.param: c.to for c in recommendation.update.changes}}
    assert recommendation.experiment is not None
    return {
        v.name: dict(v.params) for v in recommendation.experiment.variants if v.name != BASELINE
    }


def rule_hypotheses(
    goal: ExperimentGoal,
    *,
    active: Mapping[str, Any],
    cycle_metrics: Sequence[CycleMetrics],
    tested: set[tuple[tuple[str, str], ...]],
    now: datetime | None,
    last_fired: Mapping[str, datetime] | None,
    notes: list[str],
) -> list[Hypothesis]:
    """Return the rules' prescriptions as hypotheses, those on goal metrics first.

    What a rule prescribes but cannot be tested (a factor the goal does not allow, or every
    variant already tested) is left out with a line in ``notes``.
    """
    if not cycle_metrics:
        return []
    report = recommend_improvements(
        list(cycle_metrics),
        params=active,
        now=now or _NO_CLOCK,
        last_fired=last_fired if now is not None else None,
    )
    notes.extend(f"rule {s.rule} held back: {s.reason}" for s in report.skipped)
    targets = {m.name for m in goal.primary}
    ordered = sorted(report.recommendations, key=lambda r: r.evidence.get("metric") not in targets)
    found = []
    for recommendation in ordered:
        variants = _rule_variants(recommendation)
        outside = sorted(
            {f for changes in variants.values() for f in changes} - set(goal.allowed_factors)
        )
        if outside and set(outside) <= set(goal.ignored_factors):
            notes.append(
                f"rule {recommendation.rule} skipped: {', '.join(outside)} not read by this "
                "Student (the offline responder), so its test would measure nothing"
            )
            continue
        if outside:
            notes.append(
                f"rule {recommendation.rule} skipped: {', '.join(outside)} not allowed by the goal"
            )
            continue
        fresh = {
            name: changes
            for name, changes in variants.items()
            if config_key({**active, **changes}) not in tested
        }
        if not fresh:
            notes.append(f"rule {recommendation.rule} skipped: its change was already tested")
            continue
        found.append(
            Hypothesis(
                source="rule",
                variants=fresh,
                rationale=recommendation.message,
                rule=recommendation.rule,
            )
        )
    return found

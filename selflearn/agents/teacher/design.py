"""Design the next experiment: a hypothesis, its `prepare_experiment` payload and its plan.

Hypotheses are tried in this order, and the first usable one is designed:

1. the self-improvement rules of SPEC §8 on the recent cycles (`_rules`), rules on the
   goal's primary metrics first: the seeds prescribe them, so they are tested first;
2. with a Teacher model (``llm``): its structured proposals, each validated through the
   Tuner's registry (`_proposals`); offline, the "teacher" role proposes the search's
   suggestion, so both modes share the code path;
3. the seeded TPE search over the allowed factors (`_search_state`), reduced to a
   one-factor step within the autonomy step limit.

Every hypothesis changes allowed factors only, and none repeats a configuration any arm of
a finished experiment already ran. The same goal, active values, history, seed and index
always give the same plan.

Sizing: the sequential test is tuned for ``plan_sample_size(goal.assumed_effect_sd)`` paired
episodes, at ``alpha`` divided by the number of (variant, primary metric) pairs (Holm's
strictest step), so 171 pairs for one variant, one primary metric and the default 0.3 SD.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from langchain_core.language_models import BaseChatModel

from selflearn.agents.metrics import HIGHER_IS_BETTER
from selflearn.agents.teacher._goal import (
    ExperimentGoal,
    ExperimentRecord,
    normalise,
    tested_keys,
)
from selflearn.agents.teacher._plan import BASELINE, ExperimentPlan, Hypothesis
from selflearn.agents.teacher._proposals import llm_hypothesis, proposal_messages
from selflearn.agents.teacher._rules import rule_hypotheses
from selflearn.agents.teacher._search_state import SearchState
from selflearn.agents.teacher.stats import plan_sample_size
from selflearn.simulator import derive_seed
from selflearn.tuner import CycleMetrics, parse_prepare_experiment

#: Budget: episodes per arm may reach this multiple of the plan before the experiment stops.
BUDGET_FACTOR = 2.0
_MAX_ID = 200


def _value_text(value: Any) -> str:
    return str(value).replace(" ", "-")


def experiment_id(index: int, baseline: Mapping[str, Any], variants: Mapping[str, Any]) -> str:
    """Return a readable, deterministic id: ``e03_min_relevance_0.0_vs_0.25``."""
    parts = []
    for factor, before in baseline.items():
        after = [_value_text(changes[factor]) for changes in variants.values() if factor in changes]
        short = factor.rsplit(".", 1)[-1]
        parts.append(f"{short}_{_value_text(before)}_vs_{'_'.join(after)}")
    text = f"e{index:02d}_" + "__".join(parts)
    if len(text) <= _MAX_ID:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{text[: _MAX_ID - 9]}_{digest}"


def short_experiment_id(name: str) -> str:
    """Return an experiment's id without its campaign: ``e02_...`` for ``c-.../e02_...``."""
    return name.rsplit("/", 1)[-1]


def _words(hypothesis: Hypothesis, baseline: Mapping[str, Any], goal: ExperimentGoal) -> str:
    arms = [
        ", ".join(f"{k} {baseline[k]!r} -> {v!r}" for k, v in changes.items())
        for changes in hypothesis.variants.values()
    ]
    moves = " and ".join(
        f"{'raises' if HIGHER_IS_BETTER[m.name] else 'lowers'} {m.name}" for m in goal.primary
    )
    text = f"{' or '.join(arms)} {moves}"
    if goal.guardrails:
        text += " without " + ", ".join(
            f"{g.name} getting worse by more than {g.margin:g}" for g in goal.guardrails
        )
    return f"{text}. Why: {hypothesis.rationale}"


def plan_experiment(
    hypothesis: Hypothesis,
    goal: ExperimentGoal,
    *,
    active: Mapping[str, Any],
    experiment_index: int,
    notes: Sequence[str] = (),
) -> ExperimentPlan:
    """Turn a hypothesis into a validated `prepare_experiment` payload and its plan."""
    baseline = {factor: active[factor] for factor in hypothesis.factors}
    exp_id = experiment_id(experiment_index, baseline, hypothesis.variants)
    statement = _words(hypothesis, baseline, goal)
    variants = [{"name": BASELINE, "params": dict(baseline)}]
    variants += [{"name": n, "params": dict(c)} for n, c in hypothesis.variants.items()]
    payload = parse_prepare_experiment(
        {
            "type": "prepare_experiment",
            "experiment_id": exp_id,
            "variants": variants,
            "hypothesis": statement,
        }
    ).model_dump(mode="json")
    family = len(goal.primary) * len(hypothesis.variants)
    planned = plan_sample_size(goal.assumed_effect_sd, alpha=goal.alpha / family, power=goal.power)
    max_pairs = goal.max_pairs or math.ceil(BUDGET_FACTOR * planned)
    return ExperimentPlan(
        experiment_id=exp_id,
        prepare=payload,
        hypothesis=statement,
        rationale=hypothesis.rationale,
        source=hypothesis.source,
        rule=hypothesis.rule,
        changes={name: dict(c) for name, c in hypothesis.variants.items()},
        baseline=baseline,
        arm_params={
            BASELINE: dict(active),
            **{name: {**active, **c} for name, c in hypothesis.variants.items()},
        },
        metrics=goal.metric_specs(),
        assumed_effect_sd=goal.assumed_effect_sd,
        alpha=goal.alpha,
        power=goal.power,
        planned_pairs=planned,
        max_pairs=max_pairs,
        notes=list(notes),
    )


def design_experiment(
    goal: ExperimentGoal,
    *,
    active_params: Mapping[str, Any],
    history: Sequence[ExperimentRecord] = (),
    seed: int,
    experiment_index: int,
    search_state: SearchState | None = None,
    llm: BaseChatModel | None = None,
    cycle_metrics: Sequence[CycleMetrics] = (),
    now: datetime | None = None,
    last_fired: Mapping[str, datetime] | None = None,
) -> ExperimentPlan | None:
    """Return the plan of the next experiment, or None when nothing untested is left.

    ``history`` lists the finished experiments (see `experiment_record`);
    ``cycle_metrics`` the active version's recent cycles for the rules, with ``now`` and
    ``last_fired`` (see `selflearn.tuner.rule_firings`) to honour the rules' cooldowns.
    Without ``search_state`` a search is rebuilt from the history, seeded from ``seed`` and
    ``experiment_index``.
    """
    active = normalise(active_params)
    tested = tested_keys(history)
    notes: list[str] = []
    rules = rule_hypotheses(
        goal,
        active=active,
        cycle_metrics=cycle_metrics,
        tested=tested,
        now=now,
        last_fired=last_fired,
        notes=notes,
    )
    hypothesis = rules[0] if rules else None
    if hypothesis is None:
        state = search_state or SearchState(goal, seed=derive_seed(seed, experiment_index))
        state.feed(history)
        hypothesis = state.suggest(active, tested)
        if llm is not None:
            messages = proposal_messages(
                goal,
                active=active,
                history=history,
                cycle_metrics=cycle_metrics,
                suggestion=hypothesis,
            )
            proposed = llm_hypothesis(
                llm, messages, goal=goal, active=active, tested=tested, notes=notes
            )
            hypothesis = proposed or hypothesis
    if hypothesis is None:
        return None
    hypothesis = _with_retest_note(hypothesis, active, history)
    return plan_experiment(
        hypothesis, goal, active=active, experiment_index=experiment_index, notes=notes
    )


def _with_retest_note(
    hypothesis: Hypothesis, active: Mapping[str, Any], history: Sequence[ExperimentRecord]
) -> Hypothesis:
    """Say so when an earlier experiment took the same step from another baseline.

    Configurations never repeat, but a step (``top_k 5 -> 4``) does once another factor has
    changed in between; the rationale names the earlier test and what differs since.
    """
    for record in history:
        before = normalise(record.arm_params.get(BASELINE, {}))
        taken = [normalise(p) for arm, p in record.arm_params.items() if arm != BASELINE]
        for changes in hypothesis.variants.values():
            if not any(
                all(before[k] == active[k] and took[k] == v for k, v in changes.items())
                for took in taken
            ):
                continue
            moved = sorted(k for k in active if k not in changes and before[k] != active[k])
            if moved:
                note = (
                    f"; {short_experiment_id(record.experiment_id)} took this step when "
                    f"{', '.join(moved)} had other values, so it is measured again on the "
                    "active ones"
                )
                return hypothesis.model_copy(update={"rationale": hypothesis.rationale + note})
    return hypothesis

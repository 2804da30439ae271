"""The hallucination rule's A/B: prompt variants against the active prompt, winner applied.

The Tuner prepares one candidate version per prompt (the rule's `prepare_experiment`); each
arm plays the same train scenarios with the same seeds; per variant, a paired sequential
test on the episodes' hallucination rate decides, with the answer-correct rate as a guard
(a variant that answers significantly worse cannot win). The variant with the largest
significant drop is activated through the Tuner (autonomy and cooldowns apply); the other
candidates are retired. Inconclusive is the usual outcome with few episodes, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from selflearn.agents.teacher.stats import Decision, align_pairs, decide
from selflearn.cycles._context import CycleContext
from selflearn.cycles._episodes import run_recorded
from selflearn.cycles._models import CycleAction
from selflearn.cycles._prompt_drafts import with_generated_prompts
from selflearn.errors import ConflictError, RuleViolation
from selflearn.simulator import Scenario
from selflearn.simulator.episode import EpisodeResult, EpisodeSpec
from selflearn.store import session_scope
from selflearn.store.models import Experiment
from selflearn.tuner import Recommendation, activate, prepare_experiment, retire

BASELINE = "baseline"

Pairs = dict[tuple[str, int], EpisodeResult]


def _paired(base: Pairs, arm: Pairs, metric: str) -> tuple[list[float], list[float]]:
    _, values = align_pairs(
        {
            name: {key: getattr(result.metrics, metric) for key, result in played.items()}
            for name, played in (("base", base), ("arm", arm))
        }
    )
    return values["base"], values["arm"]


def _judge(base: Pairs, arm: Pairs) -> tuple[Decision, Decision]:
    n = len(set(base) & set(arm))
    hallucination = decide(
        *_paired(base, arm, "hallucination_rate"), higher_is_better=False, planned_n=max(n, 2)
    )
    correct = decide(*_paired(base, arm, "answer_correct_rate"), planned_n=max(n, 2))
    return hallucination, correct


def run_prompt_ab(
    ctx: CycleContext, rec: Recommendation, scenarios: Sequence[Scenario], seeds: Sequence[int]
) -> list[CycleAction]:
    """Prepare, play, decide and apply one prompt experiment; return what happened.

    The Teacher's drafts, once the Tuner registered them, join the built-in prompts.
    """
    rec, drafted = with_generated_prompts(ctx, rec)
    assert rec.experiment is not None
    experiment_id = rec.experiment.experiment_id
    with session_scope(ctx.engine) as session:
        versions = prepare_experiment(
            rec.experiment, session=session, now=ctx.now, initiated_by=rec.initiated_by
        )
        arms = {str(v.variant): (v.id, v.version) for v in versions}
    specs = {
        arm: [
            EpisodeSpec(
                scenario=scenario,
                seed=seed,
                campaign_id=ctx.report.cycle_id,
                experiment_id=experiment_id,
                variant=arm,
                cycle_type="macro",
            )
            for scenario in scenarios
            for seed in seeds
        ]
        for arm in arms
    }
    played: dict[str, Pairs] = {}
    for arm, arm_specs in specs.items():
        results = run_recorded(ctx, arm_specs)
        played[arm] = {(r.spec.scenario.id, r.spec.seed): r for r in results}
        ctx.report.episodes += len(results)
    verdicts: dict[str, tuple[Decision, Decision]] = {
        arm: _judge(played[BASELINE], played[arm]) for arm in arms if arm != BASELINE
    }
    winners = [
        arm
        for arm, (hallucination, correct) in verdicts.items()
        if hallucination.verdict == "winner" and correct.verdict != "loser"
    ]
    winner = min(winners, key=lambda arm: verdicts[arm][0].effect) if winners else None
    words = "; ".join(
        f"{arm}: {h.verdict} on hallucination ({h.reason}), answer-correct {c.verdict}"
        for arm, (h, c) in verdicts.items()
    )
    actions = drafted + [
        CycleAction(
            kind="experiment",
            rule=rec.rule,
            detail=f"{rec.message}; played {len(scenarios) * len(seeds)} paired episodes per "
            f"arm: {words}",
            payload=rec.payload(),
        )
    ]
    with session_scope(ctx.engine) as session:
        if winner is not None:
            effect = verdicts[winner][0].effect
            reason = (
                f"prompt A/B {experiment_id}: {winner} changes the hallucination rate by "
                f"{effect:+.3f} per episode without answering worse"
            )
            try:
                version = activate(
                    arms[winner][0],
                    session=session,
                    now=ctx.now,
                    reason=reason,
                    initiated_by=rec.initiated_by,
                )
                actions.append(
                    CycleAction(
                        kind="update", rule=rec.rule, detail=reason, version=version.version
                    )
                )
            except (RuleViolation, ConflictError) as error:
                actions.append(
                    CycleAction(kind="refused", rule=rec.rule, detail=f"{reason}; {error.message}")
                )
                winner = None
        for arm, (version_id, _number) in arms.items():
            if arm != winner:
                retire(
                    version_id,
                    session=session,
                    now=ctx.now,
                    reason=f"arm {arm} of {experiment_id}: not applied",
                    initiated_by=rec.initiated_by,
                )
        experiment = session.get(Experiment, experiment_id)
        if experiment is not None:
            experiment.status = "completed"
            experiment.verdict = "winner" if winner else "inconclusive"
            experiment.finished_at = ctx.now
    return actions

"""The macro cycle: the full golden set on the active version, the rules, consolidation.

1. Every train scenario is played with the cycle's seeds on the active version, through the
   Student with cycle type "macro"; episodes and per-probe scores are recorded.
2. The probes' retrieval precision and recall, hallucination rate, error rate and e2e
   latency p95 become the cycle's `CycleMetrics`.
3. The degradation rules run on the macro history of the active version (drops are
   measured against the last macro cycle of the version it replaced); a rollback ends the
   cycle's rule work there.
4. Otherwise the SPEC §8 self-improvement rules run: `update_params` recommendations go to
   the Tuner (auto zone applied, manual zone or beyond autonomy filed as a proposal); the
   hallucination rule's prompt experiment is played as an A/B right here.
5. Near-duplicate memories of the users whose memories changed since the previous macro
   cycle are merged.
"""

from __future__ import annotations

from selflearn.agents.teacher import judge_agreement, kappa_text
from selflearn.cycles._consolidate import consolidate
from selflearn.cycles._context import CycleContext
from selflearn.cycles._episodes import cycle_seeds, run_recorded, train_scenarios
from selflearn.cycles._journal import last_cycles
from selflearn.cycles._models import CycleAction
from selflearn.cycles._prompt_ab import run_prompt_ab
from selflearn.cycles._rules import apply_improvements, enforce_degradation, history_with
from selflearn.cycles._telemetry import CycleSummary
from selflearn.simulator import aggregate_scores
from selflearn.simulator.episode import EpisodeSpec
from selflearn.store import session_scope
from selflearn.tuner import CycleMetrics, Recommendation, active_version


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def run_macro(ctx: CycleContext) -> CycleSummary:
    """Play the golden set, run the rules, consolidate memories."""
    report = ctx.report
    scenarios = train_scenarios(ctx.scenarios_path)
    seeds = cycle_seeds(ctx)
    with session_scope(ctx.engine) as session:
        active = active_version(session=session)
        assert active is not None  # the cycle frame bootstraps one
        version_id = active.id
        previous_macro = last_cycles(session=session).get("macro")
    specs = [
        EpisodeSpec(
            scenario=scenario,
            seed=seed,
            campaign_id=report.cycle_id,
            version_id=version_id,
            cycle_type="macro",
        )
        for scenario in scenarios
        for seed in seeds
    ]
    results = run_recorded(ctx, specs)
    if ctx.roles.judge is not None:
        summary = judge_agreement(
            ctx.engine, campaign_id=report.cycle_id, offline=ctx.roles.judge_offline
        )
        note = f" ({summary['note']})" if summary.get("note") else ""
        report.findings.append(f"judge (adds; the metrics decide): {kappa_text(summary)}{note}")
    report.episodes += len(results)
    scores = aggregate_scores([probe.score for r in results for probe in r.probes])
    metrics = CycleMetrics(
        at=ctx.now,
        precision=scores.retrieval_precision,
        recall=scores.retrieval_recall,
        hallucination_rate=scores.hallucination_rate,
        error_rate=scores.error_rate,
        latency_p95_ms=scores.latency_ms_p95,
    )
    report.stats = {
        "scenarios": [s.id for s in scenarios],
        "seeds": seeds,
        "probes": scores.probes,
        "episode_metrics": scores.model_dump(mode="json"),
    }
    report.findings.append(
        f"{len(results)} episode(s), {scores.probes} probes: precision "
        f"{_fmt(scores.retrieval_precision)}, recall {_fmt(scores.retrieval_recall)}, "
        f"hallucination {_fmt(scores.hallucination_rate)}, answers correct "
        f"{_fmt(scores.correct_rate)}"
    )
    experiments: list[Recommendation] = []
    with session_scope(ctx.engine) as session:
        history = history_with("macro", metrics, session=session)
        report.metrics = history[-1]
        actions: list[CycleAction] = enforce_degradation(
            "macro", history, session=session, now=ctx.now, options=ctx.options
        )
        if not any(action.kind == "rollback" for action in actions):
            improved, experiments = apply_improvements(
                history, session=session, now=ctx.now, options=ctx.options
            )
            actions += improved
    report.actions.extend(actions)
    for rec in experiments:
        if ctx.options.prompt_ab:
            report.actions.extend(run_prompt_ab(ctx, rec, scenarios, seeds))
        else:
            report.actions.append(
                CycleAction(kind="skipped", rule=rec.rule, detail=f"{rec.message} (A/B is off)")
            )
    report.findings.extend(a.detail for a in report.actions if a.kind != "skipped")
    if not report.actions:
        report.findings.append(f"no rule fired over {len(history)} macro cycle(s)")
    memory = consolidate(
        ctx.engine,
        now=ctx.now,
        cosine=ctx.options.merge_cosine,
        max_user_memories=ctx.options.merge_max_user_memories,
        changed_since=previous_macro or ctx.now - ctx.options.micro_max_window,
    )
    report.memory = memory
    if memory.merged:
        report.findings.append(
            f"merged {memory.merged} near-duplicate memories of {memory.users} user(s)"
        )
    return CycleSummary(duration_ms=0.0, examined=scores.probes, changed=memory.merged)

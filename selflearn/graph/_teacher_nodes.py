"""Teacher nodes: design the next experiment, then judge it look by look."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from selflearn.agents.manager import GoalSpec
from selflearn.agents.teacher import (
    ExperimentPlan,
    ExperimentRecord,
    design_experiment,
    evaluate_experiment_sql,
    experiment_record,
    journal_decision,
    journal_hypothesis,
    journal_recommendation,
    judge_agreement,
    recommend,
)
from selflearn.graph._context import CampaignContext
from selflearn.graph._goal import experiment_goal
from selflearn.graph._ledger import over_cost
from selflearn.graph._state import CampaignState, episodes_used, look_episodes
from selflearn.store import session_scope
from selflearn.store.models import Experiment
from selflearn.tuner import CycleMetrics, active_version

#: Campaign budgets afford tens of pairs per experiment, so experiments are powered for
#: effects of this many standard deviations of the per-episode difference (documented).
ASSUMED_EFFECT_SD = 0.8


def _unit(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and 0 <= value <= 1 else None


def cycle_history(state: CampaignState) -> list[CycleMetrics]:
    """Return one evaluation cycle per finished experiment: the arm that stayed active."""
    applied = {
        d.get("experiment_id") for d in state.get("decisions", []) if d["status"] == "applied"
    }
    cycles = []
    for number, experiment in enumerate(state.get("experiments", []), start=1):
        arms = experiment.get("arms", {})
        winner = next((a for a in arms if a != "baseline"), None)
        arm = winner if experiment["id"] in applied and winner else "baseline"
        means = arms.get(arm, {})
        cycles.append(
            CycleMetrics(
                cycle=number,
                precision=_unit(means.get("precision")),
                recall=_unit(means.get("recall")),
                hallucination_rate=_unit(means.get("hallucination_rate")),
                error_rate=_unit(means.get("error_rate")),
            )
        )
    return cycles


def _in_campaign(plan: ExperimentPlan, campaign_id: str) -> ExperimentPlan:
    """Name the experiment inside its campaign: ids are unique across campaigns."""
    name = f"{campaign_id}/{plan.experiment_id}"
    prepare = {**plan.prepare, "experiment_id": name}
    return plan.model_copy(update={"experiment_id": name, "prepare": prepare})


def design_next(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Teacher: pick the next hypothesis and plan its experiment, or stop when none fits."""
    ctx = runtime.context
    index = state.get("experiment_index", 0) + 1
    stop = over_cost(ctx.engine, state["campaign_id"], ctx.max_cost_usd)
    if stop:
        ctx.notify("design", plan=None, stop=stop)
        return {"plan": None, "experiment_index": index, "stop_reason": stop}
    goal = experiment_goal(
        GoalSpec.model_validate(state["goal"]),
        assumed_effect_sd=ASSUMED_EFFECT_SD,
        ignored_factors=state.get("ignored_factors", []),
    )
    history = [ExperimentRecord.model_validate(e["record"]) for e in state.get("experiments", [])]
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        active = active_version(session=session)
        params = dict(active.params) if active is not None else {}
        plan = design_experiment(
            goal,
            active_params=params,
            history=history,
            seed=state["seed"],
            experiment_index=index,
            llm=None if ctx.offline else ctx.llms.get("teacher"),
            cycle_metrics=cycle_history(state),
        )
        remaining = state["budget"] - episodes_used(state)
        if plan is None or remaining < look_episodes(state, len(plan.arms)):
            ctx.notify("design", plan=None, remaining=remaining)
            return {"plan": None, "experiment_index": index}
        plan = _in_campaign(plan, state["campaign_id"])
        journal_hypothesis(plan, session=session, now=now, campaign_id=state["campaign_id"])
    ctx.notify("design", plan=plan.experiment_id, hypothesis=plan.hypothesis)
    return {"plan": plan.model_dump(mode="json"), "look": 0, "experiment_index": index}


def route_after_design(state: CampaignState) -> Literal["prepare_arms", "plan_holdout"]:
    """Run the planned experiment, or go on to monitoring when there is none."""
    return "prepare_arms" if state.get("plan") else "plan_holdout"


def _summary(
    plan: ExperimentPlan, evaluation: Any, rec: Any, judge: dict[str, Any]
) -> dict[str, Any]:
    verdict = next((v for v in evaluation.verdicts if v.variant == rec.variant), None)
    verdict = verdict or (evaluation.verdicts[0] if evaluation.verdicts else None)
    deltas = []
    if verdict is not None:
        deltas = [
            {
                "metric": d.metric,
                "role": d.role,
                "effect": d.effect,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "p_value": d.p_value,
                "significant": d.movement != "none" if hasattr(d, "movement") else None,
            }
            for d in verdict.deltas
        ]
    return {
        "id": plan.experiment_id,
        "hypothesis": plan.hypothesis,
        "rationale": plan.rationale,
        "variant": rec.variant,
        "changes": plan.changes,
        "baseline": plan.baseline,
        "verdict": rec.verdict,
        "reason": rec.reason,
        "pairs": evaluation.pairs,
        "looks": evaluation.look,
        "extra_needed": rec.extra_needed,
        "arms": {arm: s.means for arm, s in evaluation.arms.items()},
        "deltas": deltas,
        "record": experiment_record(plan, evaluation).model_dump(mode="json"),
        "judge": judge,
    }


def evaluate_look(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Teacher: evaluate the experiment from SQL after a look, and decide what comes next."""
    ctx = runtime.context
    plan = ExperimentPlan.model_validate(state["plan"])
    look = state["look"]
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        evaluation = evaluate_experiment_sql(
            plan.experiment_id, session=session, plan=plan, look=look, now=now
        )
        journal_decision(evaluation, session=session, now=now, campaign_id=state["campaign_id"])
        rec = recommend(plan, evaluation)
        remaining = state["budget"] - episodes_used(state)
        stop = over_cost(ctx.engine, state["campaign_id"], ctx.max_cost_usd)
        more = (
            rec.action == "continue"
            and look < ctx.max_looks
            and remaining >= look_episodes(state, len(plan.arms))
            and stop is None
        )
        ctx.notify("look", experiment=plan.experiment_id, look=look, verdict=rec.verdict)
        if more:
            ctx.notify("dispatch", episodes=look_episodes(state, len(plan.arms)), look=look + 1)
            return {"look": look + 1}
        journal_recommendation(rec, session=session, now=now, campaign_id=state["campaign_id"])
        row = session.get(Experiment, plan.experiment_id)
        if row is not None:
            row.status, row.verdict, row.finished_at = "decided", rec.verdict, now
            row.campaign_id = state["campaign_id"]
    change = rec.payload if rec.action == "update_params" else None
    judge = judge_agreement(ctx.engine, plan.experiment_id, offline=ctx.role_offline("judge"))
    return {
        "experiments": [_summary(plan, evaluation, rec, judge)],
        "pending_change": change,
        "plan": None,
    }

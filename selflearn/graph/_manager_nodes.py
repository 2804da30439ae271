"""Manager nodes: record the goal, wait for the owner on manual-zone changes, report."""

from __future__ import annotations

import math
import uuid
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from selflearn.agents.manager import (
    CampaignReport,
    ExperimentOutcome,
    GoalSpec,
    ProposalSummary,
    ReportedDelta,
    VersionChange,
)
from selflearn.agents.teacher import kappa_text, short_experiment_id
from selflearn.errors import ConflictError
from selflearn.graph._context import CampaignContext, role_labels
from selflearn.graph._ledger import role_usage
from selflearn.graph._state import CampaignState
from selflearn.store import session_scope
from selflearn.store.models import Campaign, Goal, JournalEntry, Proposal
from selflearn.tuner import ParamChange, approve_proposal, ensure_active_version, reject_proposal


def record_goal(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Manager: store the confirmed goal and note the version the campaign starts from."""
    ctx = runtime.context
    now = ctx.clock()
    spec = GoalSpec.model_validate(state["goal"])
    with session_scope(ctx.engine) as session:
        start = ensure_active_version(session=session, now=now)
        goal_id = state.get("goal_id")
        if not goal_id:
            goal = Goal(id=uuid.uuid4(), text=spec.text, spec=spec.model_dump(mode="json"))
            session.add(goal)
            session.flush()
            goal_id = str(goal.id)
        campaign = session.get(Campaign, state["campaign_id"])
        if campaign is not None:
            campaign.goal_id = uuid.UUID(goal_id)
    ctx.notify("goal", summary=spec.summary())
    return {"goal_id": goal_id, "start_version": str(start.id), "status": "running"}


def await_approval(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Manager: a manual-zone change waits for the owner; the graph stops here until then.

    The owner decides with `selflearn approvals approve|reject` (or in the chat) and
    `selflearn campaign resume`, or resumes with the decision itself. This node re-runs
    from its start on resume, so it first looks whether the proposal was decided already.
    """
    ctx = runtime.context
    change = state.get("pending_change") or {}
    proposal_id = int(change["proposal_id"])
    with session_scope(ctx.engine) as session:
        proposal = session.get(Proposal, proposal_id)
        status = proposal.status if proposal is not None else "expired"
        summary = proposal.reason if proposal is not None else ""
    if status == "pending":
        decision = interrupt({"proposal_id": proposal_id, "reason": summary, "change": change})
        status = _decide(ctx, proposal_id, decision)
    record = {
        "experiment_id": change.get("experiment_id"),
        "status": "applied" if status == "approved" else status,
        "reason": change.get("reason", ""),
        "changes": change.get("changes", []),
        "proposal_id": proposal_id,
    }
    return {"pending_change": None, "decisions": [record]}


def _decide(ctx: CampaignContext, proposal_id: int, decision: Any) -> str:
    answer = decision if isinstance(decision, dict) else {"approve": bool(decision)}
    approve = bool(answer.get("approve"))
    note = answer.get("note")
    note = str(note) if note is not None else None
    with session_scope(ctx.engine) as session:
        try:
            if approve:
                approve_proposal(proposal_id, session=session, now=ctx.clock(), note=note)
            else:
                reject_proposal(proposal_id, session=session, now=ctx.clock(), note=note)
        except ConflictError:
            pass  # decided elsewhere in the meantime; its stored status is the truth
        proposal = session.get(Proposal, proposal_id)
        return proposal.status if proposal is not None else "expired"


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _delta(raw: dict[str, Any], *, role: Any, **extra: Any) -> ReportedDelta:
    """Return a metric's move with its interval, from a stored delta or comparison."""
    return ReportedDelta(
        metric=raw["metric"],
        effect=_finite(raw["effect"]) or 0.0,
        ci_low=_finite(raw["ci_low"]),
        ci_high=_finite(raw["ci_high"]),
        role=role,  # validated by the model: primary, guardrail or side_effect
        **extra,
    )


def _tested(experiment: dict[str, Any]) -> str:
    """Return what an experiment varied: ``retrieval.top_k 5 → 4 | 5 → 3``."""
    baseline = experiment["baseline"]
    arms = [
        ", ".join(f"{k} {baseline.get(k)!r} \u2192 {v!r}" for k, v in arm.items())
        for arm in experiment["changes"].values()
    ]
    return " | ".join(arms) or experiment["hypothesis"]


def _guardrails(spec: GoalSpec) -> str:
    lines = spec.summary().splitlines()
    found = next((line for line in lines if line.startswith("Guardrails:")), "")
    return found.removeprefix("Guardrails:").strip()


def _local(text: str, campaign_id: str) -> str:
    """Return `text` with this campaign's experiment ids written short."""
    return text.replace(f"{campaign_id}/", "")


def _outcome(experiment: dict[str, Any], campaign_id: str) -> ExperimentOutcome:
    changes = [
        ParamChange.model_validate({"param": k, "from": experiment["baseline"].get(k), "to": v})
        for arm in experiment["changes"].values()
        for k, v in arm.items()
    ]
    deltas = [
        _delta(d, role="primary" if d["role"] == "primary" else "guardrail")
        for d in experiment["deltas"]
    ]
    return ExperimentOutcome(
        experiment_id=short_experiment_id(experiment["id"]),
        hypothesis=experiment["hypothesis"],
        rationale=experiment.get("rationale", ""),
        changes=changes,
        verdict=experiment["verdict"],
        variant=experiment.get("variant"),
        deltas=deltas,
        episodes=experiment["pairs"],
        more_episodes_needed=experiment.get("extra_needed"),
        note=_local(experiment.get("reason", ""), campaign_id),
        judge=_judge_line(experiment.get("judge")),
    )


def _judge_line(summary: dict[str, Any] | None) -> str:
    """Return the judge's agreement in words, with the disagreements and what it is."""
    if not summary:
        return ""
    line = kappa_text(summary)
    shown = [
        f"{d['scenario']}/{d['probe']} ({d['variant']}): metrics {d['metrics']}, judge {d['judge']}"
        for d in summary.get("disagreements", [])
    ]
    if shown:
        line += " (" + "; ".join(shown) + ")"
    if summary.get("note"):
        line += f". {summary['note']}"
    return line


def _holdout(
    state: CampaignState,
) -> tuple[list[ReportedDelta], str, dict[str, dict[str, float | None]]]:
    """Return the holdout comparison: deltas with intervals, a note and the per-scenario view."""
    monitor = state.get("monitor") or {}
    metric = monitor.get("metric")
    if not metric:
        return [], "", {}
    before = state.get("baseline_metrics", {})
    by_scenario = monitor.get("by_scenario", {})
    if not monitor.get("changed"):
        value = _finite(before.get(metric))
        note = f"no version changed; {metric} = {value:.3f}" if value is not None else ""
        return [], note, {}
    holdout = [
        _delta(
            m,
            role=m["role"],
            baseline=_finite(m["before"]),
            variant=_finite(m["after"]),
            significant=m["verdict"] != "inconclusive",
        )
        for m in monitor.get("metrics", [])
    ]
    scenarios = len(state.get("holdout_scenarios", []))
    set_seed = state.get("holdout_set_seed")
    which = (
        f"generated held-out set {set_seed}, never trained on"
        if set_seed is not None
        else "scenario files' held-out split"
    )
    note = (
        f"{monitor.get('pairs', 0)} scenarios paired ({scenarios} scenarios of the {which}, "
        f"{state.get('holdout_seeds', 0)} seed(s) each), {monitor.get('method', 'paired test')}; "
        f"{metric}: {monitor.get('verdict')}."
    )
    if monitor.get("rolled_back_to"):
        note += f" Rolled back to version {monitor['rolled_back_to']}"
        lost = monitor.get("rolled_back_for")
        note += f": a significant loss on {', '.join(lost)}." if lost else "."
    return holdout, note, by_scenario


def build_report(state: CampaignState, ctx: CampaignContext) -> CampaignReport:
    """Return the campaign's report from its state (no side effects)."""
    spec = GoalSpec.model_validate(state["goal"])
    campaign_id = state["campaign_id"]
    experiments = state.get("experiments", [])
    changes = [
        VersionChange(
            version=d["version"] or 0,
            reason=_local(d.get("reason") or "", campaign_id),
            experiment_id=d.get("experiment_id"),
            changes=[
                ParamChange.model_validate(
                    {"param": c["param"], "from": c.get("from"), "to": c.get("to")}
                )
                for c in d.get("changes", [])
            ],
        )
        for d in state.get("decisions", [])
        if d["status"] == "applied" and d.get("version")
    ]
    holdout, note, by_scenario = _holdout(state)
    rejected = [
        f"{short_experiment_id(e['id'])}: {_tested(e)} ({e['verdict']})"
        for e in experiments
        if e["verdict"] != "winner"
    ]
    next_steps = [
        f"{short_experiment_id(e['id'])}: run about {e['extra_needed']} more paired "
        "episodes to decide it"
        for e in experiments
        if e["verdict"] == "inconclusive" and e.get("extra_needed")
    ]
    pending = [
        ProposalSummary(
            id=int(d["proposal_id"]),
            summary=_local(d.get("reason", ""), campaign_id),
            status="pending",
        )
        for d in state.get("decisions", [])
        if d.get("status") == "pending" and d.get("proposal_id")
    ]
    return CampaignReport(
        campaign_id=campaign_id,
        goal=spec.summary().splitlines()[0].removeprefix("Goal: "),
        experiments=[_outcome(e, campaign_id) for e in experiments],
        changes=changes,
        rejected_hypotheses=rejected,
        untested=[_untested(factor) for factor in state.get("ignored_factors", [])],
        pending_proposals=pending,
        next_steps=next_steps,
        holdout=holdout,
        holdout_note=note,
        holdout_by_scenario=by_scenario,
        guardrails=_guardrails(spec),
        offline=ctx.offline,
        models=role_labels(ctx.llms),
        usage=role_usage(ctx.engine, campaign_id),
        stop_reason=state.get("stop_reason") or "",
    )


def _untested(factor: str) -> str:
    if factor.startswith("micrograph."):
        return (
            f"{factor}: not tested in campaigns: the User Emulator replays a script (an LLM "
            "only rewords it) that does not react to the assistant, so an engagement "
            "difference would be decided by construction (`selflearn learners bench "
            "bifurcation` measures it against simulated users who react)"
        )
    if factor == "responder.system_prompt_version":
        return (
            f"{factor}: not tested offline: the offline responder does not read prompt text, "
            "so prompt versions change behaviour only with an LLM responder; offline, the "
            "answer behaviour factors (responder.answer_style, conflict_policy, fact_scope, "
            "abstain_policy) are tested instead"
        )
    return (
        f"{factor}: the Student does not read it (offline responder), so nothing would be measured"
    )


def write_report(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Manager: write the plain-language report and close the campaign."""
    ctx = runtime.context
    report = build_report(state, ctx)
    payload = report.model_dump(mode="json")
    with session_scope(ctx.engine) as session:
        campaign = session.get(Campaign, state["campaign_id"])
        if campaign is not None:
            campaign.status = "completed"
            campaign.report = payload
            campaign.finished_at = ctx.clock()
        session.add(
            JournalEntry(
                kind="report",
                summary=f"campaign {state['campaign_id']} finished: "
                f"{len(state.get('experiments', []))} experiments",
                evidence=payload,
                campaign_id=state["campaign_id"],
            )
        )
    return {"report": payload, "status": "completed"}

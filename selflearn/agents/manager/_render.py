"""Plain-language renderings of what the tools return: reports, status, proposals, runs."""

from __future__ import annotations

from selflearn.agents.manager._catalog import METRICS, metric_label
from selflearn.agents.manager._format import format_delta, format_level
from selflearn.agents.manager._models import (
    CampaignReport,
    CampaignSummary,
    ExperimentOutcome,
    ProposalSummary,
    StatusSummary,
    VersionChange,
)
from selflearn.agents.teacher.design import short_experiment_id

OFFLINE_LABEL = "(offline providers)"
_VERDICT_WORDS = {"winner": "won", "loser": "lost", "inconclusive": "was inconclusive"}


def render_report(report: CampaignReport) -> str:
    """Return a campaign report in plain language, labelled when providers were offline."""
    title = f"Report on campaign {report.campaign_id}"
    lines = [f"{title} {OFFLINE_LABEL}" if report.offline else title]
    if report.goal:
        lines.append(f"Goal: {report.goal}")
    if report.guardrails:
        lines.append(f"Guardrails: {report.guardrails}")
    if report.models and not report.offline:
        lines.append("Models: " + "; ".join(f"{r} {m}" for r, m in report.models.items()))
    if report.stop_reason:
        lines.append(f"Stopped early: {report.stop_reason}")
    lines.append("")
    lines.append("What was tested:")
    if report.experiments:
        for outcome in report.experiments:
            lines += _experiment(outcome)
    else:
        lines.append("  - nothing yet")
    if report.untested:
        lines.append("Not tested:")
        lines += [f"  - {reason}" for reason in report.untested]
    lines.append("")
    lines.append("What changed:")
    if report.changes:
        lines += [f"  - {_version(change)}" for change in report.changes]
    else:
        lines.append("  - no parameter version was activated")
    if report.holdout or report.holdout_note:
        lines.append("")
        lines.append("On held-out scenarios (never tuned on):")
        if report.holdout_note:
            lines.append(f"  {report.holdout_note}")
        for delta in report.holdout:
            text = format_delta(delta.metric, delta.effect, delta.ci_low, delta.ci_high)
            if delta.role != "primary":
                text += f" ({delta.role.replace('_', ' ')})"
            if delta.baseline is not None and delta.variant is not None:
                text += f": before {delta.baseline:.3f}, after {delta.variant:.3f}"
            lines.append(f"  - {text}")
        if report.holdout_by_scenario:
            lines.append("  by scenario, before \u2192 after:")
            lines += [
                f"    {scenario}: {_level(arms.get('before'))} \u2192 {_level(arms.get('after'))}"
                for scenario, arms in report.holdout_by_scenario.items()
            ]
    if report.pending_proposals:
        lines.append("")
        lines.append("Waiting for your decision:")
        lines += [f"  - {_proposal_line(p)}" for p in report.pending_proposals]
    if report.rejected_hypotheses:
        lines.append("")
        lines.append("Hypotheses rejected:")
        lines += [f"  - {hypothesis}" for hypothesis in report.rejected_hypotheses]
    lines.append("")
    lines.append("What to try next:")
    if report.next_steps:
        lines += [f"  - {step}" for step in report.next_steps]
    else:
        lines.append("  - nothing proposed; set a new goal or run another campaign")
    if report.usage:
        lines.append("")
        lines.append("Model calls per role (calls, errors, retries, tokens, cost):")
        lines += [f"  - {role}: {_usage(u)}" for role, u in report.usage.items()]
    return "\n".join(lines)


def _usage(usage: dict[str, float]) -> str:
    tokens = int(usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
    return (
        f"{int(usage.get('calls', 0))} calls, {int(usage.get('errors', 0))} errors, "
        f"{int(usage.get('retries', 0))} retries, {tokens} tokens, "
        f"${usage.get('cost_usd', 0.0):.4f}"
    )


def _level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _experiment(outcome: ExperimentOutcome) -> list[str]:
    verdict = _VERDICT_WORDS[outcome.verdict]
    if outcome.rationale:
        # The hypothesis is known apart from its reason: what changed, then why.
        changes = " | ".join(change.describe() for change in outcome.changes)
        lines = [f"  - {outcome.experiment_id}: {changes or outcome.hypothesis}"]
        lines.append(f"    why: {outcome.rationale}")
    else:
        changes = ", ".join(change.describe() for change in outcome.changes)
        head = f"  - {outcome.experiment_id}: {outcome.hypothesis}"
        lines = [head + (f" ({changes})" if changes else "")]
    arm = outcome.variant if outcome.variant and len(outcome.changes) > 1 else "the variant"
    detail = f"{arm} {verdict}"
    if outcome.episodes is not None:
        detail += f" after {outcome.episodes} paired episodes"
    if outcome.verdict == "inconclusive" and outcome.more_episodes_needed:
        detail += f"; about {outcome.more_episodes_needed} more episodes would decide it"
    lines.append(f"    {detail}.")
    for delta in outcome.deltas:
        text = format_delta(delta.metric, delta.effect, delta.ci_low, delta.ci_high)
        if delta.role != "primary":
            text += f" ({delta.role.replace('_', ' ')})"
        lines.append(f"    {text}")
    if outcome.note:
        lines.append(f"    {outcome.note}")
    if outcome.judge:
        lines.append(f"    judge (adds, the metrics decide): {outcome.judge}")
    return lines


def _version(change: VersionChange) -> str:
    moves = ", ".join(c.describe() for c in change.changes)
    if change.action == "rolled_back":
        text = f"version {change.version} was rolled back"
        if change.previous_version is not None:
            text += f" to version {change.previous_version}"
    else:
        text = f"version {change.version} activated"
        if change.previous_version is not None:
            text += f" (replacing version {change.previous_version})"
    text += f" because {change.reason}"
    if moves:
        text += f"; {moves}"
    if change.experiment_id and short_experiment_id(change.experiment_id) not in change.reason:
        text += f" [experiment {change.experiment_id}]"
    return text


def _proposal_line(proposal: ProposalSummary) -> str:
    moves = ", ".join(c.describe() for c in proposal.changes)
    text = f"#{proposal.id} {proposal.summary}"
    if moves:
        text += f" ({moves})"
    if proposal.why_approval:
        text += f"; needs you because {proposal.why_approval}"
    if proposal.status != "pending":
        text += f" [{proposal.status}]"
    return text


def render_proposals(proposals: list[ProposalSummary]) -> str:
    """Return the proposals, pending ones with how to decide on them."""
    pending = [p for p in proposals if p.status == "pending"]
    if not pending:
        return "No proposal is waiting for your decision."
    lines = [f"{len(pending)} proposal(s) waiting for your decision:"]
    lines += [f"  - {_proposal_line(p)}" for p in pending]
    lines.append("Say 'approve N' or 'reject N because ...'.")
    return "\n".join(lines)


def render_campaign(summary: CampaignSummary) -> str:
    """Return what a campaign run did, in a few lines."""
    title = f"Campaign {summary.campaign_id} {summary.status.replace('_', ' ')}"
    lines = [f"{title} {OFFLINE_LABEL}." if summary.offline else f"{title}."]
    lines.append(
        f"{summary.experiments} experiment(s) over {summary.episodes} episodes: "
        f"{summary.winners} won, {summary.losers} lost, {summary.inconclusive} inconclusive."
    )
    if summary.activated_version is not None:
        lines.append(f"Version {summary.activated_version} is now active.")
    if summary.pending_proposals:
        lines.append(
            f"{summary.pending_proposals} proposal(s) wait for your approval "
            "(say 'list proposals')."
        )
    if summary.message:
        lines.append(summary.message)
    lines.append("Say 'report' for the details.")
    return "\n".join(lines)


def render_status(status: StatusSummary) -> str:
    """Return where things stand."""
    lines = [f"Status {OFFLINE_LABEL}" if status.offline else "Status"]
    if status.goal is not None:
        headline = status.goal.spec.summary().splitlines()[0].removeprefix("Goal: ")
        lines.append(f"Goal {status.goal.id}: {headline}")
    else:
        lines.append("No goal yet. Tell me what you want to improve.")
    if status.active_version is not None:
        lines.append(f"Active parameter version: {status.active_version}.")
    if status.active_params:
        params = ", ".join(f"{name}={value!r}" for name, value in status.active_params.items())
        lines.append(f"Parameters: {params}.")
    if status.last_campaign is not None:
        last = status.last_campaign
        lines.append(f"Last campaign: {last.campaign_id} ({last.status.replace('_', ' ')}).")
    if status.recent_metrics:
        metrics = ", ".join(
            f"{metric_label(name)} {format_level(name, value)}"
            if name in METRICS
            else f"{name} {value:g}"
            for name, value in status.recent_metrics.items()
        )
        lines.append(f"Recent metrics: {metrics}.")
    lines.append(f"Proposals waiting for you: {status.pending_proposals}.")
    lines += status.notes
    return "\n".join(lines)

"""`selflearn campaign`: run, resume, list and show experiment campaigns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from selflearn.agents.manager import CampaignReport, render_report
from selflearn.cli._components import components
from selflearn.cli._output import console, err_console, print_json
from selflearn.cli._signals import INTERRUPTED_EXIT, graceful_stop
from selflearn.errors import NotFoundError, ProviderError
from selflearn.graph import (
    DEFAULT_BUDGET,
    DEFAULT_GOAL,
    DEFAULT_HOLDOUT_SCENARIOS,
    DEFAULT_HOLDOUT_SEEDS,
    DEFAULT_SCENARIOS,
    INTERRUPTED,
    CampaignOptions,
    CampaignOutcome,
    CampaignRunner,
)
from selflearn.graph import list_campaigns as list_all
from selflearn.store import session_scope
from selflearn.store.models import Campaign, JournalEntry

app = typer.Typer(help="Experiment campaigns: run, resume, list, show.", no_args_is_help=True)


class ProgressView:
    """Rich progress bars fed by the graph's events: episodes, arms, looks."""

    def __init__(self, progress: Progress, budget: int) -> None:
        self.progress = progress
        self.episodes = progress.add_task("episodes", total=budget)
        self.look = progress.add_task("look", total=None)
        self.status = progress.add_task("waiting for the goal", total=None)

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event == "episode":
            self.progress.advance(self.episodes)
            self.progress.advance(self.look)
        elif event == "dispatch":
            total = int(data.get("episodes", 0))
            self.progress.reset(self.look, total=total, description=f"look {data.get('look')}")
            current = self.progress.tasks[self.episodes]
            if current.total is not None and current.completed + total > current.total:
                self.progress.update(self.episodes, total=current.completed + total)
        elif event == "design":
            text = data.get("hypothesis") or "no further hypothesis: monitoring"
            self.progress.update(self.status, description=str(text)[:90])
        elif event == "look":
            self.progress.update(
                self.status,
                description=f"{data.get('experiment')}: look {data.get('look')} → "
                f"{data.get('verdict')}",
            )
        elif event == "change":
            self.progress.update(self.status, description=f"change {data.get('status')}")


def _finish(outcome: CampaignOutcome, as_json: bool) -> None:
    if as_json:
        print_json(outcome.to_json())
    elif outcome.status == "completed" and outcome.state.get("report"):
        console.print(render_report(CampaignReport.model_validate(outcome.state["report"])))
    elif outcome.status == "awaiting_approval":
        waiting = outcome.waiting_for or {}
        console.print(
            f"Campaign {outcome.campaign_id} waits for your decision on proposal "
            f"#{waiting.get('proposal_id')}: {waiting.get('reason', '')}\n"
            f"Decide with `selflearn approvals approve|reject {waiting.get('proposal_id')}`, "
            f"then `selflearn campaign resume {outcome.campaign_id}`."
        )
    elif outcome.status == "paused":
        reason = outcome.paused or {}
        console.print(
            f"Campaign {outcome.campaign_id} paused: {reason.get('message')} "
            f"(after {reason.get('retries', 0)} retries). {reason.get('hint', '')}\n"
            f"Nothing is lost: `selflearn campaign resume {outcome.campaign_id}` continues it."
        )
    elif outcome.status == INTERRUPTED:
        err_console.print(
            f"Campaign {outcome.campaign_id} interrupted after its last finished step; "
            f"`selflearn campaign resume {outcome.campaign_id}` continues it."
        )
    else:
        console.print(f"Campaign {outcome.campaign_id}: {outcome.status}")
    if outcome.status == "failed":
        raise typer.Exit(code=1)
    if outcome.status == "paused":
        raise typer.Exit(code=ProviderError.exit_code)
    if outcome.status == INTERRUPTED:
        raise typer.Exit(code=INTERRUPTED_EXIT)


def _drive(
    action: Callable[[CampaignRunner], CampaignOutcome], budget: int, as_json: bool
) -> CampaignOutcome:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with components() as built, built.student(telemetry_flush_every=64) as student:
        with Progress(*columns, console=err_console, transient=as_json) as progress:
            view = ProgressView(progress, budget)
            # Ctrl+C or SIGTERM stops the campaign after the step in progress.
            with graceful_stop() as should_stop:
                runner = built.campaign_runner(
                    progress=view, student=student, should_stop=should_stop
                )
                return action(runner)


@app.command("run")
def run(
    goal: str = typer.Option(DEFAULT_GOAL, "--goal", help="The goal in plain words."),
    scenarios: list[Path] = typer.Option(  # noqa: B008
        [DEFAULT_SCENARIOS], "--scenarios", help="Scenario files or folders."
    ),
    budget: int = typer.Option(
        DEFAULT_BUDGET, "--budget", min=2, help="Episodes the experiments may use."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of every random choice."),
    holdout_seeds: int = typer.Option(
        DEFAULT_HOLDOUT_SEEDS, "--holdout-seeds", min=1, help="Seeds per held-out scenario."
    ),
    holdout_scenarios: int = typer.Option(
        DEFAULT_HOLDOUT_SCENARIOS,
        "--holdout-scenarios",
        min=0,
        help="Held-out scenarios generated fresh (0: the files' `split: holdout` ones).",
    ),
    holdout_set_seed: int | None = typer.Option(
        None,
        "--holdout-set-seed",
        min=0,
        help="Seed of the generated held-out set (default: derived from --seed).",
    ),
    max_cost_usd: float | None = typer.Option(
        None, "--max-cost-usd", min=0, help="Stop experimenting once model calls cost this."
    ),
    judge_per_episode: int = typer.Option(
        1, "--judge-per-episode", min=0, help="Probes per episode the judge scores (0: off)."
    ),
    keep_memories: bool = typer.Option(
        False,
        "--keep-memories",
        help="Keep the simulated users' (`sim:`) memories of every episode (default: dropped).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Run a campaign: goal → experiments → verdicts → changes → holdout check → report."""
    for path in scenarios:
        if not path.exists():
            raise NotFoundError(f"scenario path {path} does not exist", hint="Check --scenarios.")
    options = CampaignOptions(
        goal_text=goal,
        scenarios=tuple(str(p) for p in scenarios),
        budget=budget,
        seed=seed,
        holdout_seeds=holdout_seeds,
        holdout_scenarios=holdout_scenarios,
        holdout_set_seed=holdout_set_seed,
        max_cost_usd=max_cost_usd,
        judge_per_episode=judge_per_episode,
        keep_memories=keep_memories,
    )
    outcome = _drive(lambda runner: runner.start(options), budget, as_json)
    _finish(outcome, as_json)


@app.command("resume")
def resume(
    campaign_id: str = typer.Argument(..., help="The campaign to continue."),
    approve: bool | None = typer.Option(
        None, "--approve/--reject", help="Decide the waiting proposal while resuming."
    ),
    note: str | None = typer.Option(None, "--note", help="A note kept with the decision."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Continue a campaign after a crash, or after the owner decided a proposal."""
    decision = None if approve is None else {"approve": approve, "note": note}
    with components() as built, session_scope(built.database.engine) as session:
        row = session.get(Campaign, campaign_id)
        budget = int(row.config.get("budget", 0)) if row is not None else 0
    outcome = _drive(lambda runner: runner.resume(campaign_id, decision=decision), budget, as_json)
    _finish(outcome, as_json)


@app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List campaigns, oldest first."""
    with components() as built:
        campaigns = list_all(built.database)
    if as_json:
        print_json({"campaigns": campaigns})
        return
    if not campaigns:
        console.print("no campaigns yet: `selflearn campaign run`")
    for c in campaigns:
        console.print(f"{c['campaign_id']}  {c['status']:<18} {c['started_at']}  {c['goal']}")


@app.command("show")
def show(
    campaign_id: str = typer.Argument(..., help="The campaign to show."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show a campaign's status and report."""
    with components() as built, session_scope(built.database.engine) as session:
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFoundError(
                f"no campaign {campaign_id!r}", hint="`selflearn campaign list` shows them."
            )
        paused = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.campaign_id == campaign_id, JournalEntry.kind == "campaign_paused")
            .order_by(JournalEntry.id.desc())
            .limit(1)
        ).first()
        data: dict[str, Any] = {
            "campaign_id": row.id,
            "status": row.status,
            "config": row.config,
            "started_at": row.started_at.isoformat(),
            "report": row.report,
            "paused": paused.evidence if paused is not None and row.status == "paused" else None,
        }
    if as_json:
        print_json(data)
    elif data["report"]:
        console.print(render_report(CampaignReport.model_validate(data["report"])))
    elif data["paused"]:
        why = data["paused"]
        console.print(
            f"Campaign {campaign_id}: paused: {why.get('message')} ({why.get('code')}). "
            f"`selflearn campaign resume {campaign_id}` continues it."
        )
    else:
        console.print(f"Campaign {campaign_id}: {data['status']} (no report yet)")

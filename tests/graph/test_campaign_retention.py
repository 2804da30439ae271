"""Campaigns leave no simulated memories; `db prune` clears finished ones, never paused ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from campaign_fixtures import runner, small_scenarios
from sqlalchemy import func, select, text, update

from selflearn.graph import CampaignOptions
from selflearn.store import session_scope, simulated_under
from selflearn.store.models import Campaign, Episode, Memory, PipelineRun


def _prune(database, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFLEARN_")}
    env["DATABASE_URL"] = database.url
    done = subprocess.run(
        [sys.executable, "-m", "selflearn.cli", "db", "prune", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _counts(database, campaign_id: str) -> dict[str, int]:
    with session_scope(database.engine) as session:
        return {
            "episodes": session.scalar(
                select(func.count()).where(Episode.campaign_id == campaign_id)
            ),
            "turns": session.scalar(
                select(func.count()).where(PipelineRun.episode_id.like(f"{campaign_id}/%"))
            ),
            "memories": session.scalar(
                select(func.count()).where(simulated_under(Memory.user_id, f"{campaign_id}/"))
            ),
            "micrograph": session.execute(
                text("SELECT count(*) FROM micrograph_turns WHERE user_id LIKE :p"),
                {"p": f"sim:{campaign_id}/%"},
            ).scalar_one(),
            "checkpoints": session.execute(
                text("SELECT count(*) FROM checkpoints WHERE thread_id = :t"), {"t": campaign_id}
            ).scalar_one(),
        }


def test_campaigns_drop_their_memories_and_prune_spares_a_paused_one(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    options = CampaignOptions(
        scenarios=(str(folder),), budget=4, seed=5, holdout_seeds=1, holdout_scenarios=0
    )
    done = runner(settings, database).start(options, campaign_id="ret-done")
    kept = runner(settings, database).start(
        CampaignOptions(
            **{**options.to_config(), "scenarios": (str(folder),), "seed": 6, "keep_memories": True}
        ),  # fmt: skip
        campaign_id="ret-kept",
    )
    assert done.status == kept.status == "completed"
    after_done = _counts(database, "ret-done")
    assert after_done["episodes"] > 0 and after_done["turns"] > 0
    assert after_done["memories"] == 0  # nothing of its simulated users is left
    assert _counts(database, "ret-kept")["memories"] > 0  # --keep-memories kept them

    # A campaign stopped after a few steps: interrupted, resumable from its checkpoint.
    steps = iter(range(100))
    stopping = runner(settings, database)
    stopping.should_stop = lambda: next(steps) >= 3
    paused = stopping.start(
        CampaignOptions(**{**options.to_config(), "scenarios": (str(folder),), "seed": 7}),
        campaign_id="ret-paused",
    )
    assert paused.status == "interrupted"
    before_paused = _counts(database, "ret-paused")
    assert before_paused["episodes"] > 0 and before_paused["checkpoints"] > 0

    # Everything is a month old now; the retention period is a week.
    month_ago = datetime.now(UTC) - timedelta(days=30)
    with session_scope(database.engine) as session:
        session.execute(update(Campaign).values(started_at=month_ago, finished_at=month_ago))
        session.execute(update(Episode).values(started_at=month_ago, finished_at=month_ago))
    dry = _prune(database, "--older-than-days", "7", "--dry-run")
    assert _counts(database, "ret-done") == after_done  # a dry run removes nothing
    pruned = _prune(database, "--older-than-days", "7")
    assert sorted(pruned["campaigns"]) == sorted(dry["campaigns"]) == ["ret-done", "ret-kept"]
    assert {k: pruned[k] for k in ("episodes", "pipeline_runs", "checkpoints", "memories")} == {
        k: dry[k] for k in ("episodes", "pipeline_runs", "checkpoints", "memories")
    }
    assert pruned["episodes"] > 0 and pruned["checkpoints"] > 0 and pruned["memories"] > 0
    for finished in ("ret-done", "ret-kept"):
        assert _counts(database, finished) == {
            "episodes": 0, "turns": 0, "memories": 0, "micrograph": 0, "checkpoints": 0
        }  # fmt: skip
    assert _counts(database, "ret-paused") == before_paused  # untouched
    with session_scope(database.engine) as session:
        assert session.get(Campaign, "ret-done").report  # the record of what was learnt stays

    resumed = runner(settings, database).resume("ret-paused")
    assert resumed.status == "completed"
    assert len(resumed.state["episodes_done"]) == len(set(resumed.state["episodes_done"]))
    assert _counts(database, "ret-paused")["memories"] == 0

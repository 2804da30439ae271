"""Kill -9 in the middle of a campaign; `campaign resume` finishes it with nothing lost or
counted twice and at most one active version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from campaign_fixtures import small_scenarios
from sqlalchemy import func, select, text

from selflearn.store import session_scope
from selflearn.store.models import Campaign, Episode, ParameterVersion


def _cli(database, *args: str, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFLEARN_")}
    env["DATABASE_URL"] = database.url
    return subprocess.Popen(
        [sys.executable, "-m", "selflearn.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _completed_episodes(database) -> int:
    with session_scope(database.engine) as session:
        return session.scalar(select(func.count()).select_from(Episode)) or 0


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kill_after_episodes", [1, 5])
def test_kill_9_then_resume_finishes_without_loss_or_double_counting(
    database, tmp_path, kill_after_episodes
):
    with session_scope(database.engine) as session:
        session.execute(text("DELETE FROM probe_results"))
        session.execute(text("DELETE FROM episodes"))
    folder = small_scenarios(tmp_path)
    proc = _cli(
        database, "campaign", "run", "--budget", "12", "--seed", "5",
        "--holdout-seeds", "1", "--holdout-scenarios", "10", "--scenarios", str(folder), "--json",
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _completed_episodes(database) < kill_after_episodes:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with session_scope(database.engine) as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.started_at.desc())).first()
        assert campaign is not None and campaign.status == "running"
        campaign_id = campaign.id
    resumed = _cli(database, "campaign", "resume", campaign_id, "--json")
    out, err = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, err
    payload = json.loads(out)
    assert payload["status"] == "completed"
    with session_scope(database.engine) as session:
        episodes = session.scalars(select(Episode).where(Episode.campaign_id == campaign_id)).all()
        assert episodes and all(e.status == "completed" for e in episodes)
        for episode in episodes:
            runs = session.scalar(
                text("SELECT count(*) FROM pipeline_runs WHERE episode_id = :e"), {"e": episode.id}
            )
            probes = session.scalar(
                text("SELECT count(*) FROM probe_results WHERE episode_id = :e"), {"e": episode.id}
            )
            assert runs == episode.turns, "every turn of the episode recorded exactly once"
            assert probes == episode.metrics["probes"]
        active = session.scalar(
            select(func.count())
            .select_from(ParameterVersion)
            .where(ParameterVersion.status == "active")
        )
        assert active == 1

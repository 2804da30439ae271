"""`selflearn simulate`: one JSON object with the headline metrics; bad files run nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from selflearn.cli import app
from selflearn.store import session_scope, simulated_under
from selflearn.store.models import Episode, Memory

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_simulate_prints_metrics_and_pass_hat_k_and_replays_identically(database):
    scenario = str(ROOT / "scenarios" / "moved-city.yaml")
    args = ["simulate", scenario, "--episodes", "2", "--seed", "4", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert payload["episodes"] == 2
    for name in ("recall", "precision", "hallucination_rate", "abstention_rate", "answer_f1",
                 "latency_ms_p95"):  # fmt: skip
        assert name in payload["metrics"]
    summary = payload["per_scenario"][0]
    assert set(summary["pass_hat_k"]) == {"1", "2"}
    assert summary["pass_hat_k"]["2"] <= summary["pass_hat_k"]["1"]
    second = json.loads(runner.invoke(app, args).stdout)
    same = {k: v for k, v in payload["metrics"].items() if not k.startswith("latency")}
    assert same == {k: v for k, v in second["metrics"].items() if not k.startswith("latency")}


def test_simulate_refuses_a_broken_scenario_before_running_anything(database, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nunknown_key: 1\n")
    with session_scope(database.engine) as session:
        before = session.scalar(select(func.count()).select_from(Episode))
    good = str(ROOT / "scenarios" / "moved-city.yaml")
    result = runner.invoke(app, ["simulate", good, str(bad), "--json"])
    assert result.exit_code != 0
    assert result.stdout == ""
    with session_scope(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Episode)) == before


def test_simulate_with_the_judge_reports_its_agreement_with_the_metrics(database):
    scenario = str(ROOT / "scenarios" / "namesakes.yaml")
    result = runner.invoke(app, ["simulate", scenario, "--judge", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    agreement = payload["judge_agreement"]
    assert agreement["n"] == 5  # every probe of the scenario was judged
    # Offline, the judge is the rule-based one built on the same metrics: they must agree.
    assert agreement["correct"]["agreement"] == 1.0
    assert agreement["hallucinated"]["agreement"] == 1.0


def _simulated_memories(database, run_id: str) -> int:
    with session_scope(database.engine) as session:
        return session.scalar(
            select(func.count()).where(simulated_under(Memory.user_id, f"{run_id}/"))
        )


def test_simulate_drops_the_simulated_memories_unless_asked_to_keep_them(database):
    scenario = str(ROOT / "scenarios" / "moved-city.yaml")
    runs = {}
    for flag in ([], ["--keep-memories"]):
        done = runner.invoke(app, ["simulate", scenario, "--seed", "9", "--json", *flag])
        assert done.exit_code == 0, done.output
        runs[bool(flag)] = json.loads(done.stdout)["run_id"]
    assert _simulated_memories(database, runs[False]) == 0
    assert _simulated_memories(database, runs[True]) > 0

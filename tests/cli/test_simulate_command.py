"""`selflearn simulate`: one JSON object with the headline metrics; bad files run nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from selflearn.cli import app
from selflearn.simulator import write_generated_set
from selflearn.store import session_scope, simulated_under
from selflearn.store.models import Episode, Memory
from selflearn.tuner import ensure_active_version, prepare_experiment

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


def _without_latency(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not k.startswith("latency")}


def _active_number(database) -> str:
    with session_scope(database.engine) as session:
        return str(ensure_active_version(session=session, now=datetime.now(UTC)).version)


def _candidate_versions(database, experiment_id: str, variants: dict[str, dict]) -> dict[str, int]:
    """Candidate versions (not activated) with the given parameters, by variant name."""
    with session_scope(database.engine) as session:
        ensure_active_version(session=session, now=datetime.now(UTC))
        arms = prepare_experiment(
            {
                "type": "prepare_experiment",
                "experiment_id": experiment_id,
                "variants": [{"name": n, "params": p} for n, p in variants.items()],
            },
            session=session,
            now=datetime.now(UTC),
        )
        return {str(arm.variant): arm.version for arm in arms}


def test_simulate_compare_pairs_two_versions_by_scenario(database, tmp_path):
    write_generated_set(12, 3107, tmp_path)
    numbers = _candidate_versions(
        database,
        "simulate_compare",
        {"defaults": {"responder.abstain_policy": "unsupported"},
         "uncertain": {"responder.abstain_policy": "uncertain"}},
    )  # fmt: skip
    base, other = str(numbers["defaults"]), str(numbers["uncertain"])
    args = ["simulate", str(tmp_path), "--version", base, "--json"]
    done = runner.invoke(app, [*args, "--compare", other])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    comparison = payload["comparison"]
    assert (comparison["baseline_version"], comparison["variant_version"]) == (
        f"v{base}",
        f"v{other}",
    )
    by_metric = {c["metric"]: c for c in comparison["metrics"]}
    assert set(by_metric) >= {"answer_correct_rate", "hallucination_rate", "false_abstention_rate"}
    for compared in by_metric.values():
        assert compared["scenarios"] <= 12
        assert "permutation" in compared["method"]
        if compared["baseline"] is not None and compared["verdict"] != "inconclusive":
            assert compared["p_value"] <= 0.05
    # The baseline arm is the plain simulation of --version; abstaining when unsure declines
    # answers that are right, which every scenario with answerable questions shows.
    alone = json.loads(runner.invoke(app, args).stdout)["metrics"]
    assert _without_latency(payload["metrics"]) == _without_latency(alone)
    abstain = by_metric["false_abstention_rate"]
    assert abstain["scenarios"] == 12 and abstain["effect"] > 0
    assert abstain["verdict"] == "loser" and abstain["ci_low"] > 0
    assert abstain["variant"] - abstain["baseline"] == pytest.approx(abstain["effect"])


def test_simulate_compare_of_a_version_with_itself_decides_nothing(database, tmp_path):
    write_generated_set(10, 3108, tmp_path)
    number = _active_number(database)
    done = runner.invoke(
        app, ["simulate", str(tmp_path), "--version", number, "--compare", number, "--json"]
    )
    assert done.exit_code == 0, done.output
    for compared in json.loads(done.stdout)["comparison"]["metrics"]:
        assert compared["verdict"] == "inconclusive" and compared["effect"] == 0.0
        assert compared["ci_low"] == compared["ci_high"] == 0.0


def test_simulate_compare_needs_enough_scenarios_and_a_known_version(database):
    scenario = str(ROOT / "scenarios" / "moved-city.yaml")
    with session_scope(database.engine) as session:
        before = session.scalar(select(func.count()).select_from(Episode))
    unknown = runner.invoke(app, ["simulate", scenario, "--compare", "9999", "--json"])
    assert unknown.exit_code != 0 and unknown.stdout == ""
    with session_scope(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Episode)) == before
    number = _active_number(database)
    few = runner.invoke(app, ["simulate", scenario, "--compare", number, "--json"])
    assert few.exit_code == 0, few.output
    for compared in json.loads(few.stdout)["comparison"]["metrics"]:
        assert compared["verdict"] == "inconclusive" and compared["scenarios"] <= 1
        assert "at least 10" in compared["reason"]

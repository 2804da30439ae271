"""`selflearn learners bench bifurcation`: one JSON object of the issue's shape."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from selflearn.cli import app


def test_bench_json_has_the_documented_shape(database):
    runner = CliRunner()
    args = ["learners", "bench", "bifurcation", "--users", "2", "--turns", "12", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["users"] == 2 and payload["turns"] == 12
    assert set(payload["arms"]) == {"on", "off", "no_antiloop"}
    assert set(payload["effect"]["tec"]) == {"delta", "ci_low", "ci_high"}
    assert 0.0 <= payload["arms"]["off"]["tec"] <= 1.0


def test_bench_refuses_one_user(database):
    result = CliRunner().invoke(app, ["learners", "bench", "bifurcation", "--users", "1"])
    assert result.exit_code != 0


def test_bench_takes_the_anti_looping_threshold_and_checks_its_range(database):
    runner = CliRunner()
    args = ["learners", "bench", "bifurcation", "--users", "3", "--turns", "60", "--json"]
    default = json.loads(runner.invoke(app, args).stdout)
    done = runner.invoke(app, [*args, "--anti-loop-similarity", "0.35"])
    assert done.exit_code == 0, done.output
    lower = json.loads(done.stdout)
    # Without anti-looping the threshold is never read; with it, a lower threshold counts
    # more candidates as loops, so the arm `on` repeats topics no more often.
    assert lower["arms"]["no_antiloop"] == default["arms"]["no_antiloop"]
    assert lower["arms"]["on"]["repeat_rate"] <= default["arms"]["on"]["repeat_rate"]
    refused = runner.invoke(app, [*args, "--anti-loop-similarity", "0.1"])
    assert refused.exit_code != 0 and refused.stdout == ""

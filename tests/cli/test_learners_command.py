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

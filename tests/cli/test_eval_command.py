"""`selflearn eval locomo` prints exactly one JSON object and refuses bad input clearly."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from selflearn.cli import app
from tests.locomo.test_locomo_harness import _conversation

runner = CliRunner()


def test_eval_locomo_json_has_the_documented_shape(database, tmp_path):
    path = tmp_path / "conv-cli.json"
    path.write_text(json.dumps(_conversation()))
    result = runner.invoke(app, ["eval", "locomo", str(path), "--k", "1,5", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload)[:4] == ["questions", "recall", "by_category", "latency_ms"]
    assert payload["questions"] == 4
    assert set(payload["recall"]) == {"1", "5"}
    assert payload["recall"]["5"] >= payload["recall"]["1"]
    assert set(payload["latency_ms"]) >= {"p50", "p95"}


def test_eval_locomo_refuses_bad_files_ranks_and_versions(database, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"speaker_a": "A"}')
    for args in (
        [str(bad)],
        [str(bad), "--k", "five"],
        [str(bad), "--version", "999"],
    ):
        result = runner.invoke(app, ["eval", "locomo", *args])
        assert result.exit_code != 0
        assert result.stdout == ""

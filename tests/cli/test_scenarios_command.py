"""`selflearn scenarios validate` on the bundled scenarios and on broken files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from selflearn.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_every_bundled_scenario_validates():
    result = runner.invoke(app, ["scenarios", "validate", str(ROOT / "scenarios"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["valid"] is True
    assert len(payload["files"]) >= 12


def test_broken_files_name_file_line_and_path_and_exit_nonzero(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: t\nproject: p\ngoal: g\nsessions: []\nprobes: []\nbogus: 1\n")
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(app, ["scenarios", "validate", str(bad), str(missing), "--json"])
    assert result.exit_code == 2
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    problems = files["bad.yaml"]["problems"]
    assert any(p["path"] == "bogus" and p["line"] == 7 for p in problems)
    assert files["missing.yaml"]["ok"] is False

"""`selflearn campaign`: a campaign whose Student's model fails pauses, says why, resumes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selflearn.cli import app
from selflearn.settings import get_settings
from tests.llm_roles import role_handlers

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SMALL_SET = ("moved-city", "marathon-diary", "namesakes", "unanswerable-gaps")

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def responder_on_server(database, llm_server, monkeypatch):
    llm_server.handlers = role_handlers()
    for name, value in {
        "PROVIDER": "openai", "BASE_URL": llm_server.base_url, "API_KEY": "k",
        "MODEL": "responder-model", "MAX_RETRIES": "0", "TIMEOUT_S": "2",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"SELFLEARN_RESPONDER__{name}", value)
    get_settings.cache_clear()
    yield llm_server
    get_settings.cache_clear()


def test_a_paused_campaign_says_why_exits_6_and_resume_finishes_it(
    responder_on_server, tmp_path
):
    for name in SMALL_SET:
        shutil.copy(ROOT / "scenarios" / f"{name}.yaml", tmp_path / f"{name}.yaml")
    responder_on_server.fail("server_error", times=1000, model="responder-model")
    args = ["campaign", "run", "--budget", "12", "--seed", "2", "--holdout-seeds", "1"]
    ran = runner.invoke(app, [*args, "--scenarios", str(tmp_path)])
    assert ran.exit_code == 6, ran.output
    assert "paused: the responder provider failed" in ran.output
    campaign_id = re.search(r"Campaign (c-\S+) paused", ran.output).group(1)
    assert f"selflearn campaign resume {campaign_id}" in ran.output
    shown = runner.invoke(app, ["campaign", "show", campaign_id])
    assert "paused" in shown.output and "provider_unavailable" in shown.output
    responder_on_server.heal()
    resumed = runner.invoke(app, ["campaign", "resume", campaign_id, "--json"])
    assert resumed.exit_code == 0, resumed.output
    payload = json.loads(resumed.stdout)
    assert payload["status"] == "completed" and payload["usage"]["responder"]["calls"] > 0

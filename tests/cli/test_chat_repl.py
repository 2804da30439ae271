"""`selflearn chat`: a REPL fed from stdin, resumable by conversation id."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from selflearn.bootstrap import Components
from selflearn.cli._chat import chat
from tests.agents.manager_fakes import FakeTools

GOAL = "improve recall to 0.8 while keeping p95 latency under 50 ms"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(chat)
    return app


@pytest.fixture
def tools(monkeypatch, database) -> FakeTools:
    fake = FakeTools()
    monkeypatch.setattr(Components, "manager_tools", lambda self, runner=None: fake)
    return fake


def conversation_id(output: str) -> str:
    found = re.search(r"Conversation (\w+)", output)
    assert found, output
    return found.group(1)


def test_chat_reads_lines_until_quit(app, tools):
    result = CliRunner().invoke(app, [], input=f"help\n\n{GOAL}\nyes\nquit\nstatus\n")
    assert result.exit_code == 0, result.output
    assert "offline intent parser (deterministic)" in result.output
    assert "Here is what I understand" in result.output
    assert "raise recall to 80 % or more" in result.output
    assert "Saved: goal goal-1" in result.output
    assert tools.names() == ["set_goal"]  # nothing after quit runs


def test_chat_ends_at_end_of_input_and_resumes_with_the_pending_question(app, tools):
    first = CliRunner().invoke(app, [], input=f"{GOAL}\n")
    assert first.exit_code == 0, first.output
    conversation = conversation_id(first.output)
    second = CliRunner().invoke(app, ["--conversation", conversation], input="yes\n")
    assert second.exit_code == 0, second.output
    assert "Resumed: 2 earlier message(s)." in second.output
    assert "Still waiting for your answer:" in second.output
    assert "Saved: goal goal-1" in second.output
    assert tools.names() == ["set_goal"]


def test_reports_print_brackets_literally(app, tools):
    result = CliRunner().invoke(app, [], input=f"{GOAL}\nyes\nrun a campaign\nreport\n")
    assert "hallucination_rate \u22122.1 pts [\u22123.0, \u22121.2]" in result.output

"""`selflearn params` and `selflearn approvals`, driven through Typer's test runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from selflearn.cli._approvals import app as approvals_app
from selflearn.cli._params import app as params_app
from selflearn.errors import NotFoundError, RuleViolation
from selflearn.store import session_scope
from selflearn.tuner import get_version, update_params

runner = CliRunner()


def run_json(app, *args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def update(param, before, after, reason="test"):
    return {"reason": reason, "changes": [{"param": param, "from": before, "to": after}]}


@pytest.fixture
def history(engine, bootstrapped, t0):
    """v1 defaults, v2 top_k 4 (active), and a pending manual-zone proposal."""
    with session_scope(engine) as session:
        update_params(update("retrieval.top_k", 5, 4, "precision low"), session=session, now=t0)
        proposal = update_params(
            update("responder.model", "default", "large", "fewer hallucinations"),
            session=session,
            now=t0,
        ).proposal
    return proposal


def test_params_list_show_and_diff(history):
    listed = run_json(params_app, "list")["versions"]
    assert [(v["version"], v["status"]) for v in listed] == [(1, "retired"), (2, "active")]
    assert listed[1]["changes"] == [{"param": "retrieval.top_k", "from": 5, "to": 4}]
    assert listed[1]["params"]["retrieval.top_k"] == 4
    shown = run_json(params_app, "show", "2")
    assert shown["version"]["parent_version"] == 1
    assert [step["version"] for step in shown["explanation"]["chain"]] == [2, 1]
    assert shown["explanation"]["chain"][0]["reason"] == "precision low"
    diffed = run_json(params_app, "diff", "v1", "2")
    assert diffed["changes"] == [{"param": "retrieval.top_k", "from": 5, "to": 4}]
    text = runner.invoke(params_app, ["show", "v2"])
    assert text.exit_code == 0 and "Version 2 (active)" in text.output
    assert "retrieval.top_k 5 -> 4" in text.output
    table = runner.invoke(params_app, ["list"])
    assert table.exit_code == 0 and "Parameter versions" in table.output


def test_params_activate_and_rollback_as_owner(engine, history):
    activated = run_json(params_app, "activate", "1", "--reason", "back to defaults")
    assert activated["active"]["version"] == 1 and activated["previous_version"] == 2
    rolled = runner.invoke(params_app, ["rollback", "--reason", "no", "--to", "2"])
    assert rolled.exit_code == 0, rolled.output
    assert "v1 rolled back; v2 is active again" in rolled.output
    with session_scope(engine) as session:
        assert get_version(1, session=session).status == "rolled_back"
        assert get_version(2, session=session).status == "active"
    # Errors reach the root CLI as project errors (it prints them and sets the exit code).
    missing = runner.invoke(params_app, ["show", "99"])
    assert isinstance(missing.exception, NotFoundError)
    nothing = runner.invoke(params_app, ["rollback", "--reason", "again", "--to", "2"])
    assert nothing.exit_code != 0
    needs_reason = runner.invoke(params_app, ["activate", "1"])
    assert needs_reason.exit_code == 2 and "--reason" in needs_reason.output


def test_rollback_of_the_root_names_the_rule(engine, bootstrapped):
    result = runner.invoke(params_app, ["rollback", "--reason", "undo"])
    assert isinstance(result.exception, RuleViolation)
    assert result.exception.rule == "nothing_to_roll_back"


def test_approvals_list_approve_and_reject(engine, history):
    pending = run_json(approvals_app, "list")["proposals"]
    assert [(p["id"], p["status"]) for p in pending] == [(history.id, "pending")]
    assert pending[0]["payload"]["changes"][0]["param"] == "responder.model"
    table = runner.invoke(approvals_app, ["list"])
    assert table.exit_code == 0 and f"#{history.id}" in table.output
    approved = run_json(approvals_app, "approve", str(history.id), "--note", "ok")
    assert approved["proposal"]["status"] == "approved" and approved["version"] == 3
    assert approved["proposal"]["decision_note"] == "ok"
    assert run_json(approvals_app, "list")["proposals"] == []
    assert len(run_json(approvals_app, "list", "--all")["proposals"]) == 1
    again = runner.invoke(approvals_app, ["reject", str(history.id)])
    assert again.exit_code != 0 and "already approved" in str(again.exception)
    with session_scope(engine) as session:
        second = update_params(
            update("responder.model", "large", "default"), session=session, now=history.created_at
        ).proposal
    rejected = runner.invoke(approvals_app, ["reject", str(second.id), "--note", "keep large"])
    assert rejected.exit_code == 0 and f"proposal #{second.id} rejected" in rejected.output
    unknown = runner.invoke(approvals_app, ["approve", "424242"])
    assert isinstance(unknown.exception, NotFoundError)

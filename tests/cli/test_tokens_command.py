"""`selflearn tokens`: made once and shown once, listed without secrets, revoked by prefix."""

from __future__ import annotations

import json

from test_setup_commands import assert_clean_failure, run_cli

from selflearn.store import session_scope
from selflearn.web import Caller
from selflearn.web._tokens import authenticate


def test_create_list_revoke(database, database_url):
    env = {"DATABASE_URL": database_url}
    made = run_cli("tokens", "create", "--role", "operator", "--name", "ci", "--json", env=env)
    assert made.returncode == 0, made.stderr
    issued = json.loads(made.stdout)
    assert issued["role"] == "operator" and issued["token"].startswith("slt_")
    with session_scope(database.engine) as session:
        caller = authenticate(issued["token"], session=session, now=_now())
    assert isinstance(caller, Caller) and caller.role == "operator" and caller.name == "ci"

    listed = json.loads(run_cli("tokens", "list", "--json", env=env).stdout)["tokens"]
    (row,) = [t for t in listed if t["id"] == issued["id"]]
    assert issued["token"] not in json.dumps(listed), "a list never shows a secret"
    assert issued["token"].startswith(row["prefix"])

    revoked = run_cli("tokens", "revoke", row["prefix"], "--json", env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["token"]["revoked_at"]
    with session_scope(database.engine) as session:
        assert authenticate(issued["token"], session=session, now=_now()) is None


def test_bad_role_and_unknown_token_fail_cleanly(database_url):
    env = {"DATABASE_URL": database_url}
    assert_clean_failure(run_cli("tokens", "create", "--role", "root", env=env), "unknown role")
    assert_clean_failure(run_cli("tokens", "revoke", "slt_nothing", env=env), "no token")


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)

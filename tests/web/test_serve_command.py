"""`serve` runs the API in its own process, opens the database first, and can reload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from selflearn.cli import _serve
from selflearn.errors import DatabaseUnavailableError
from selflearn.settings import get_settings
from selflearn.store import session_scope
from selflearn.web import StudentHTTPClient, StudentUnavailableError, has_tokens, list_tokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_token(process: subprocess.Popen) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip().startswith("slt_"):
            return line.strip()
    raise AssertionError("serve printed no token: " + process.communicate()[1])


def test_serve_prints_a_first_admin_token_and_answers_until_stopped(database, database_url, user):
    with session_scope(database.engine) as session:
        assert not has_tokens(session=session), "a fresh database has no token"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    code = f"from selflearn.cli._serve import serve; serve(host='127.0.0.1', port={port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        token = _first_token(process)
        with StudentHTTPClient(f"http://127.0.0.1:{port}", token=token, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    assert client.health()["status"] == "ok"
                    break
                except StudentUnavailableError:
                    assert process.poll() is None, process.communicate()[1]
                    assert time.monotonic() < deadline, "the server did not come up"
                    time.sleep(0.1)
            client.add_memories(user, ["My favourite colour is teal."])
            turn = client.chat_turn(user, "What is my favourite colour?")
            assert "teal" in turn.answer
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    with session_scope(database.engine) as session:
        (only,) = list_tokens(session=session)
        assert only.role == "admin" and only.token_hash != token  # kept hashed


def test_serve_fails_fast_on_an_unreachable_database(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    get_settings.cache_clear()
    monkeypatch.setattr(
        "selflearn.web.serve_app", lambda *a, **k: pytest.fail("listened without a database")
    )
    try:
        with pytest.raises(DatabaseUnavailableError):
            _serve.serve(host="127.0.0.1", port=_free_port())
    finally:
        get_settings.cache_clear()


def test_reload_serves_the_app_factory_by_import_path(monkeypatch):
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: calls.append((a, k)))
    _serve.serve(host="0.0.0.0", port=9001, reload=True)
    ((args, kwargs),) = calls
    assert args == ("selflearn.web.app:create_default_app",)
    assert kwargs["factory"] is True and kwargs["reload"] is True
    assert (kwargs["host"], kwargs["port"]) == ("0.0.0.0", 9001)
    assert all(os.path.isdir(path) for path in kwargs["reload_dirs"])

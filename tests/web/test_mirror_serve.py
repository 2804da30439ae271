"""`selflearn serve` runs the mirror loop: its hub answers over the WebSocket, its logger writes
the episodes, and SIGTERM stops it all cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
from test_serve_command import _first_token, _free_port
from websockets.sync.client import connect

from selflearn.store import session_scope
from selflearn.web import create_token
from selflearn.web.client import wait_until_healthy


def _answer(ws, message_id):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=20))
        if message.get("id") == message_id:
            return message
    raise AssertionError(f"no answer to message {message_id}")


def test_serve_runs_the_mirror_loop_and_stops_it_on_sigterm(database, database_url):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    code = f"from selflearn.cli._serve import serve; serve(host='127.0.0.1', port={port})"
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        admin = _first_token(process)
        with session_scope(database.engine) as session:
            service = create_token("service", session=session, name="serve test").token
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, alive=lambda: process.poll() is None)
        with connect(f"ws://127.0.0.1:{port}/api/v1/mirror/ws?token={service}") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            ws.send(json.dumps({"type": "turn", "user_id": "s1", "text": "so glad!", "id": 1}))
            assert _answer(ws, 1)["type"] == "turn_result"
            ws.send(json.dumps({"type": "feedback", "user_id": "s1", "id": 2}))
            feedback = _answer(ws, 2)
            assert feedback["type"] == "feedback_result" and feedback["data"]["logged"]
            # The loop's own thread closes the episode 3-5 s later and pushes it.
            deadline = time.monotonic() + 20
            while json.loads(ws.recv(timeout=20))["type"] != "episode":
                assert time.monotonic() < deadline, "no episode was logged by the running loop"
        stats = httpx.get(
            f"{url}/api/v1/mirror/stats", headers={"Authorization": f"Bearer {admin}"}
        )
        assert stats.status_code == 200 and stats.json()["n"] == 1, stats.text
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-2000:]

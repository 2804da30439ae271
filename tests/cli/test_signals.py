"""SIGTERM stops a command as Ctrl+C does: a clean exit, nothing left running, nothing lost.

Each test runs the real command in its own process and sends it the signal a supervisor
(systemd, Docker, Kubernetes) or a terminal would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from selflearn.store import session_scope
from selflearn.store.models import Campaign, Episode
from selflearn.web.client import wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
SMALL_SET = ("moved-city", "marathon-diary", "namesakes", "unanswerable-gaps")


def _scenarios(tmp: Path) -> Path:
    folder = tmp / "scenarios"
    folder.mkdir(exist_ok=True)
    for name in SMALL_SET:
        (folder / f"{name}.yaml").write_text((ROOT / "scenarios" / f"{name}.yaml").read_text())
    return folder


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SELFLEARN_", "DATABASE"))}
    return subprocess.Popen(
        [sys.executable, "-m", "selflearn.cli", *args],
        env={**base, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_stopped(proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """Return the output of a process asked to stop; if it does not, fail with its stacks."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # every thread's stack to stderr (faulthandler)
        time.sleep(2)
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"still running {timeout:g} s after the signal; its threads:\n{err[-6000:]}")


def _episodes(database, campaign_id: str | None = None) -> int:
    query = select(func.count()).select_from(Episode)
    if campaign_id:
        query = query.where(Episode.campaign_id == campaign_id)
    with session_scope(database.engine) as session:
        return int(session.scalar(query) or 0)


def _postmaster_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    # The postmaster creates the file first and writes its pid a moment later.
    for _ in range(50):
        if not pid_file.exists():
            return False
        words = pid_file.read_text().split()
        if words:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"{pid_file} stayed empty for 5 s")
    pid = int(words[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.timeout(400)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signalled_campaign_reads_interrupted_and_resumes_without_loss(database, tmp_path, sig):
    with session_scope(database.engine) as session:
        before = set(session.scalars(select(Campaign.id)))
    env = {"DATABASE_URL": database.url}
    proc = _start(
        "campaign", "run", "--budget", "12", "--seed", "5", "--holdout-seeds", "2",
        "--scenarios", str(_scenarios(tmp_path)), "--json", env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 150
    campaign_id = None
    while campaign_id is None or _episodes(database, campaign_id) < 2:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the campaign did not get going"
        with session_scope(database.engine) as session:
            new = set(session.scalars(select(Campaign.id))) - before
        campaign_id = next(iter(new), None)
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = _wait_stopped(proc, 120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert json.loads(out)["status"] == "interrupted"
    listed = _start("campaign", "list", "--json", env=env).communicate(timeout=60)[0]
    (row,) = [c for c in json.loads(listed)["campaigns"] if c["campaign_id"] == campaign_id]
    assert row["status"] == "interrupted"

    resumed = _start("campaign", "resume", campaign_id, "--json", env=env)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert json.loads(out)["status"] == "completed"
    with session_scope(database.engine) as session:
        episodes = session.scalars(select(Episode).where(Episode.campaign_id == campaign_id)).all()
        assert episodes and all(e.status == "completed" for e in episodes)
        for episode in episodes:
            runs = session.scalar(
                text("SELECT count(*) FROM pipeline_runs WHERE episode_id = :e"), {"e": episode.id}
            )
            assert runs == episode.turns, "every turn of every episode recorded exactly once"


@pytest.mark.timeout(300)
def test_sigterm_releases_the_embedded_postgres(tmp_path):
    home = Path(f"/tmp/sl-sig-{os.getpid()}-{tmp_path.name[-6:]}")
    env = {"SELFLEARN_HOME": str(home)}
    proc = _start("simulate", str(_scenarios(tmp_path)), "--episodes", "200", "--json", env=env)
    deadline = time.monotonic() + 120
    while not _postmaster_running(home / "pg"):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(3)  # into the episodes
    proc.send_signal(signal.SIGTERM)
    _, err = _wait_stopped(proc, 120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not _postmaster_running(home / "pg"), "the embedded PostgreSQL was left running"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.timeout(300)
def test_serve_finishes_requests_in_flight_on_sigterm_and_releases_postgres(tmp_path):
    home = Path(f"/tmp/sl-srv-{os.getpid()}-{tmp_path.name[-6:]}")
    port = _free_port()
    proc = _start("serve", "--port", str(port), env={"SELFLEARN_HOME": str(home)})
    assert proc.stdout is not None
    token = next(line.strip() for line in proc.stdout if line.strip().startswith("slt_"))
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # a full pipe would block
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {token}"}
    wait_until_healthy(f"http://127.0.0.1:{port}", alive=lambda: proc.poll() is None)

    acknowledged: list[str] = []
    broken: list[str] = []
    # Sent, then the connection closed with no answer: either the request was still in the
    # listen backlog when the server stopped (never read, safe to send again) or it was read
    # and dropped. The database after a restart tells which.
    unanswered: list[str] = []

    def write() -> None:
        # A new connection per request: a request sent on a kept-alive connection at the
        # moment the server closes it idle was never read, yet looks like a dropped one.
        no_keepalive = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(timeout=30, headers=headers, limits=no_keepalive) as client:
            for i in range(400):
                fact = f"fact number {i}: I keep {i} marbles in a jar."
                try:
                    response = client.post(f"{base}/users/u-sig/memories", json={"items": [fact]})
                except httpx.ConnectError:
                    return  # the server stopped listening: this request never started
                except httpx.RemoteProtocolError:
                    unanswered.append(fact)
                    return
                except httpx.HTTPError as error:
                    broken.append(f"{fact}: {error!r}")  # accepted, then dropped
                    return
                if response.status_code == 201:
                    acknowledged.append(fact)
                else:
                    broken.append(f"{fact}: {response.status_code}")
                    return

    writer = threading.Thread(target=write)
    writer.start()
    while len(acknowledged) < 20:
        assert writer.is_alive(), broken
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    writer.join(timeout=60)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert broken == [], "a request the server had accepted was dropped"
    assert not _postmaster_running(home / "pg"), "the embedded PostgreSQL was left running"

    # Every acknowledged write is there after a restart.
    again = _start("serve", "--port", str(port), env={"SELFLEARN_HOME": str(home)})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                listed = httpx.get(f"{base}/users/u-sig/memories", headers=headers, timeout=5)
                if listed.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert again.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        stored = {m["text"] for m in listed.json()["items"]}
        assert set(acknowledged) <= stored
        assert not set(unanswered) & stored, "a request was stored but its answer dropped"
    finally:
        again.send_signal(signal.SIGINT)
        again.communicate(timeout=60)
    assert again.returncode == 0
    assert not _postmaster_running(home / "pg")

"""`selflearn doctor` and `selflearn db`, run as a user runs them, in fresh processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from selflearn.store import embedded_url

CLI = [sys.executable, "-m", "selflearn.cli"]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SELFLEARN_", "DATABASE_URL"))}
    return subprocess.run(
        [*CLI, *args], env={**base, **(env or {})}, capture_output=True, text=True, timeout=timeout
    )


def assert_clean_failure(result, *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_db_upgrade_then_status_reports_migration_head(database_url):
    env = {"DATABASE_URL": database_url}
    before = json.loads(run_cli("db", "status", "--json", env=env).stdout)
    assert before["current"] is None and before["up_to_date"] is False
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    result = run_cli("db", "status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["current"] == payload["head"]
    assert "0001" not in payload["head"]  # later migrations build on the initial one
    assert payload["up_to_date"] is True
    assert payload["embedded"] is False


def test_doctor_is_healthy_and_says_what_runs_offline(database_url):
    result = run_cli("doctor", "--json", env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["healthy"] is True
    assert set(payload["offline_roles"]) == {"manager", "teacher", "emulator", "responder", "judge"}
    assert any(c["name"] == "pgvector" and c["ok"] for c in payload["checks"])


def test_unreachable_database_url_names_the_setting():
    result = run_cli(
        "db",
        "status",
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"},
    )
    assert_clean_failure(result, "DATABASE_URL")


def test_server_without_pgvector_is_explained(pg_server):
    # A real server whose catalogue view of available extensions lists no pgvector: a view in
    # an earlier schema of the search path shadows pg_catalog's.
    name = f"t_nopgvector_{uuid.uuid4().hex[:8]}"
    admin = create_engine(embedded_url(pg_server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(embedded_url(pg_server, name), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE SCHEMA shadow"))
        conn.execute(
            text(
                "CREATE VIEW shadow.pg_available_extensions AS "
                "SELECT * FROM pg_catalog.pg_available_extensions WHERE name <> 'vector'"
            )
        )
    engine.dispose()
    url = embedded_url(pg_server, name) + "&options=-csearch_path%3Dshadow,pg_catalog"
    try:
        result = run_cli("db", "status", env={"DATABASE_URL": url})
        assert_clean_failure(result, "pgvector", "postgresql-15-pgvector")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_unusable_data_directory_names_selflearn_home(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli("db", "status", env={"SELFLEARN_HOME": str(blocker / "home")})
    assert_clean_failure(result, "SELFLEARN_HOME")


def test_unknown_provider_name_is_refused():
    result = run_cli("doctor", env={"SELFLEARN_JUDGE__PROVIDER": "claude-local"})
    assert_clean_failure(result, "SELFLEARN_JUDGE__PROVIDER")


@pytest.mark.timeout(180)
def test_two_processes_start_the_embedded_server_at_the_same_moment():
    home = Path(f"/tmp/selflearn-race-{uuid.uuid4().hex[:8]}")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "SELFLEARN_HOME": str(home),
    }
    procs = [
        subprocess.Popen(
            [*CLI, "doctor", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    try:
        outputs = [proc.communicate(timeout=150) for proc in procs]
        for proc, (out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
            assert json.loads(out)["healthy"] is True  # both started, joined and migrated it
        # Both processes are gone, so the last one out stopped the server.
        assert not (home / "pg" / "postmaster.pid").exists()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_db_prune_reads_the_retention_setting_and_refuses_when_it_is_off(database_url):
    env = {"DATABASE_URL": database_url}
    dry = run_cli("db", "prune", "--dry-run", "--json", env=env)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True and report["rows"] == 0 and report["campaigns"] == []
    week = run_cli(
        "db", "prune", "--dry-run", "--json", env={**env, "SELFLEARN_RETENTION_DAYS": "7"}
    )
    cutoffs = [json.loads(out.stdout)["cutoff"] for out in (dry, week)]
    assert cutoffs[0] < cutoffs[1]  # 30 days back by default, 7 when set
    off = run_cli("db", "prune", env={**env, "SELFLEARN_RETENTION_DAYS": "off"})
    assert_clean_failure(off, "retention is off", "--older-than-days")
    explicit = run_cli(
        "db", "prune", "--older-than-days", "0", "--json",
        env={**env, "SELFLEARN_RETENTION_DAYS": "off"},
    )  # fmt: skip
    assert explicit.returncode == 0, explicit.stderr
    bad = run_cli("db", "prune", env={**env, "SELFLEARN_RETENTION_DAYS": "-3"})
    assert_clean_failure(bad, "SELFLEARN_RETENTION_DAYS", "greater than or equal to 0")

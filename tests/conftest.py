"""Shared fixtures: one embedded PostgreSQL for the run, a fresh database per test module."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from selflearn.maas import MemoryService
from selflearn.settings import Settings, get_settings
from selflearn.store import Database, embedded_url, open_database, start_embedded
from tests.factories import NOW, make_student
from tests.llm_server import LLMServer

# Short and outside any home directory: pgserver runs as its own user when we are root.
TEST_PGDATA = Path(os.environ.get("SELFLEARN_TEST_PGDATA", f"/tmp/selflearn-test-{os.getuid()}/pg"))


@pytest.fixture(scope="session")
def pg_server():
    """Start (or join) the embedded server every test module shares."""
    TEST_PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return start_embedded(TEST_PGDATA)


def _admin(server):
    return create_engine(embedded_url(server, "postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def database_url(pg_server, request) -> Iterator[str]:
    """Create an empty database for this test module and drop it afterwards."""
    module = re.sub(r"[^a-z0-9]+", "_", request.module.__name__.lower())[-40:]
    name = f"t_{module}_{uuid.uuid4().hex[:8]}"
    admin = _admin(pg_server)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield embedded_url(pg_server, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def settings(database_url, tmp_path_factory) -> Iterator[Settings]:
    """Point the settings at this module's database and a private data directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", database_url)
        patch.setenv("SELFLEARN_HOME", str(tmp_path_factory.mktemp("home")))
        for key in list(os.environ):
            if key.startswith(("SELFLEARN_LLM", "OPENAI_")):
                patch.delenv(key)
        get_settings.cache_clear()
        yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def database(settings) -> Iterator[Database]:
    """Open and migrate this module's database."""
    db = open_database(settings)
    yield db
    db.close()


@pytest.fixture(scope="module")
def service(database, settings) -> Iterator[MemoryService]:
    """A Student on this module's database, with the offline embedder and a fixed clock."""
    with make_student(settings, database, clock=lambda: NOW) as svc:
        yield svc


@pytest.fixture
def user() -> str:
    """A user id no other test uses."""
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def llm_server() -> Iterator[LLMServer]:
    """An OpenAI-compatible server on loopback that answers by echo until programmed."""
    with LLMServer() as server:
        yield server

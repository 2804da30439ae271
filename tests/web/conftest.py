"""Fixtures of the HTTP API tests: one service and app per module, a client, fresh users."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from selflearn.maas import MemoryService
from selflearn.web import create_app

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def service(database, settings) -> Iterator[MemoryService]:
    """A memory service on this module's database, with the offline embedder."""
    with MemoryService(database, settings=settings, clock=lambda: NOW) as svc:
        yield svc


@pytest.fixture(scope="module")
def app(service) -> FastAPI:
    """The API around the module's service."""
    return create_app(service)


@pytest.fixture(scope="module")
def api(app) -> Iterator[TestClient]:
    """An HTTP client of the app; server errors come back as responses, as in production."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def now() -> datetime:
    """The service clock: requests that pass no time happen at this moment."""
    return NOW


@pytest.fixture
def user() -> str:
    """A user id no other test uses."""
    return f"user-{uuid.uuid4().hex[:10]}"

"""Fixtures of the HTTP API tests: one service and app per module, a client, fresh users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from selflearn.web import create_app
from tests.factories import NOW


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


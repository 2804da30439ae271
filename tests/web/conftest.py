"""Fixtures of the HTTP API tests: one app per module, a token per role, clients, fresh users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from selflearn.bootstrap import Components
from selflearn.store import session_scope
from selflearn.web import ROLES, create_app, create_token
from tests.factories import NOW, bearer, make_components


@pytest.fixture(scope="module")
def components(settings, database) -> Components:
    """The composition root's components on this module's database (wall clock)."""
    return make_components(settings, database)


@pytest.fixture(scope="module")
def tokens(database) -> dict[str, str]:
    """One API token per role, made in this module's database."""
    with session_scope(database.engine) as session:
        return {role: create_token(role, session=session, name=f"test {role}").token
                for role in ROLES}  # fmt: skip


@pytest.fixture(scope="module")
def app(components, service) -> FastAPI:
    """The one app around the module's Student."""
    return create_app(components, student=service)


@pytest.fixture(scope="module")
def api(app, tokens) -> Iterator[TestClient]:
    """A client of the app calling as the Student's caller (service token); server errors
    come back as responses, as in production."""
    with TestClient(app, raise_server_exceptions=False, headers=bearer(tokens["service"])) as c:
        yield c


@pytest.fixture(scope="session")
def now() -> datetime:
    """The service clock: requests that pass no time happen at this moment."""
    return NOW

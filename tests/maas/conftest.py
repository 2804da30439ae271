"""Fixtures of the memory-service tests: one service per test module, fresh user ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from selflearn.maas import MemoryService

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def service(database, settings) -> Iterator[MemoryService]:
    """A memory service on this module's database, with the offline embedder."""
    with MemoryService(database, settings=settings, clock=lambda: NOW) as svc:
        yield svc


@pytest.fixture
def user() -> str:
    """A user id no other test uses."""
    return f"user-{uuid.uuid4().hex[:10]}"

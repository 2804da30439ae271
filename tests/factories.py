"""Factories of the composition root for tests: components and Students on a test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel

from selflearn.bootstrap import Components, offline_handlers
from selflearn.maas import MemoryService
from selflearn.providers import ChatModels, Embedder, get_embedder
from selflearn.settings import ROLES, LLMSettings, Settings, get_settings
from selflearn.store import Database

#: The Student's clock in tests: requests that pass no time happen at this moment.
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class StepClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def make_components(
    settings: Settings,
    database: Database,
    *,
    embedder: Embedder | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Components:
    """Return the components of `settings` on an already open test database."""
    built = Components(
        settings=settings,
        database=database,
        embedder=embedder or get_embedder(settings),
        models=ChatModels(settings, offline_handlers()),
    )
    return built if clock is None else Components(**{**built.__dict__, "clock": clock})


def make_student(
    settings: Settings,
    database: Database,
    *,
    embedder: Embedder | None = None,
    clock: Callable[[], datetime] | None = None,
    **options: Any,
) -> MemoryService:
    """Return a Student built the way the composition root builds it."""
    return make_components(settings, database, embedder=embedder, clock=clock).student(**options)


def role_model(role: str, settings: Settings | None = None) -> BaseChatModel:
    """Return `role`'s chat model as the composition root builds it (offline behaviour given)."""
    return ChatModels(settings or get_settings(), offline_handlers())(role)


def on_server(
    settings: Settings,
    base_url: str,
    *,
    roles: tuple[str, ...] = ROLES,
    **fields: Any,
) -> Settings:
    """Return `settings` with `roles` on an OpenAI-compatible server (model "<role>-model").

    Retries wait little (tests); `fields` override any LLMSettings field of those roles.
    """
    values: dict[str, Any] = {
        "provider": "openai",
        "base_url": base_url,
        "api_key": "test-key",
        "timeout_s": 2.0,
        "max_retries": 3,
        "backoff_s": 0.01,
        "backoff_max_s": 0.05,
        **fields,
    }
    update = {role: LLMSettings(**{**values, "model": f"{role}-model"}) for role in roles}
    return settings.model_copy(update=update)


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header of an API token."""
    return {"Authorization": f"Bearer {token}"}

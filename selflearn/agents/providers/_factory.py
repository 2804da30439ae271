"""One factory: the chat model of a role, offline or OpenAI-compatible, from the settings."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from selflearn.agents.providers._offline import OfflineChatModel
from selflearn.agents.providers._openai import build_openai_chat
from selflearn.errors import ConfigError
from selflearn.settings import Settings, get_settings


def chat_model(
    role: str, settings: Settings | None = None, *, temperature: float | None = None
) -> BaseChatModel:
    """Return the chat model of `role` (manager, teacher, emulator, responder or judge)."""
    settings = settings or get_settings()
    config = settings.llm_for(role)
    if config.provider == "offline":
        return OfflineChatModel(role=role, seed=settings.seed)
    if config.provider == "openai":
        if config.api_key is None and config.base_url is None:
            raise ConfigError(
                f"the {role} role uses the openai provider but has no API key",
                hint=f"Set SELFLEARN_{role.upper()}__API_KEY (or OPENAI_API_KEY), point "
                f"SELFLEARN_{role.upper()}__BASE_URL at a local server, or set "
                f"SELFLEARN_{role.upper()}__PROVIDER=offline.",
            )
        return build_openai_chat(config, temperature=temperature)
    raise ConfigError(  # unreachable through Settings validation, kept for direct callers
        f"unknown provider {config.provider!r} for role {role}",
        hint=f"Set SELFLEARN_{role.upper()}__PROVIDER to offline or openai.",
    )

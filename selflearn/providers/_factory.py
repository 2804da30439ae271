"""Build the chat model of a role, offline or OpenAI-compatible, from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from selflearn.errors import ConfigError
from selflearn.providers._offline import OfflineChatModel, OfflineHandler, generic_handler
from selflearn.providers._openai import build_openai_chat
from selflearn.settings import ROLES, Settings


def chat_model(
    role: str,
    settings: Settings,
    *,
    offline_handler: OfflineHandler | None = None,
    temperature: float | None = None,
) -> BaseChatModel:
    """Return the chat model of `role` (manager, teacher, emulator, responder or judge).

    `offline_handler` is what the role answers when it runs offline; the role's owner gives it.
    """
    config = settings.llm_for(role)
    if config.provider == "offline":
        return OfflineChatModel(
            role=role, seed=settings.seed, handler=offline_handler or generic_handler
        )
    if config.provider == "openai":
        if config.api_key is None and config.base_url is None:
            raise ConfigError(
                f"the {role} role uses the openai provider but has no API key",
                hint=f"Set SELFLEARN_{role.upper()}__API_KEY (or OPENAI_API_KEY), point "
                f"SELFLEARN_{role.upper()}__BASE_URL at a local server, or set "
                f"SELFLEARN_{role.upper()}__PROVIDER=offline.",
            )
        return build_openai_chat(config, temperature=temperature, seed=settings.seed)
    raise ConfigError(  # unreachable through Settings validation, kept for direct callers
        f"unknown provider {config.provider!r} for role {role}",
        hint=f"Set SELFLEARN_{role.upper()}__PROVIDER to offline or openai.",
    )


@dataclass(frozen=True)
class ChatModels:
    """Every role's chat model: the settings pick the provider, owners give offline behaviour."""

    settings: Settings
    offline_handlers: Mapping[str, OfflineHandler] = field(default_factory=dict)

    def __call__(self, role: str, *, temperature: float | None = None) -> BaseChatModel:
        """Return a new chat model of `role`."""
        return chat_model(
            role,
            self.settings,
            offline_handler=self.offline_handlers.get(role),
            temperature=temperature,
        )

    def is_offline(self, role: str) -> bool:
        """Return whether `role` runs on the offline provider."""
        return self.settings.llm_for(role).provider == "offline"

    @property
    def all_offline(self) -> bool:
        """Return whether every role runs offline."""
        return all(self.is_offline(role) for role in ROLES)

    def by_role(self) -> dict[str, BaseChatModel]:
        """Return one model per role."""
        return {role: self(role) for role in ROLES}

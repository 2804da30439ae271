"""Settings: one pydantic-settings class, reached through the cached `get_settings()`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from selflearn.errors import ConfigError

Role = Literal["manager", "teacher", "emulator", "responder", "judge"]
ROLES: tuple[Role, ...] = ("manager", "teacher", "emulator", "responder", "judge")
ProviderName = Literal["offline", "openai"]
#: How long simulation data of finished campaigns and cycles is kept (see `retention_days`).
DEFAULT_RETENTION_DAYS = 30


def default_home() -> Path:
    """Return the default data directory.

    As root, the embedded PostgreSQL makes every parent folder of its data directory
    world-readable, so root gets a folder under /var/lib instead of one under /root.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/selflearn")
    from platformdirs import user_data_dir

    return Path(user_data_dir("selflearn", appauthor=False))


class LLMSettings(BaseModel):
    """How one role reaches its chat model; unset fields inherit from `SELFLEARN_LLM__*`."""

    provider: ProviderName | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str | None = None
    timeout_s: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    # The retry budget of one call: total seconds from the first try, and the backoff
    # (first wait, longest wait; each wait is jittered from the seed).
    retry_budget_s: float | None = Field(default=None, ge=0)
    backoff_s: float | None = Field(default=None, ge=0)
    backoff_max_s: float | None = Field(default=None, ge=0)
    # Prices in USD per million tokens, for the cost recorded with every call.
    prompt_price_per_mtok: float | None = Field(default=None, ge=0)
    completion_price_per_mtok: float | None = Field(default=None, ge=0)


class ResolvedLLMSettings(BaseModel):
    """A role's LLM settings after inheritance: every field has a value."""

    role: str
    provider: ProviderName
    base_url: str | None
    api_key: SecretStr | None
    model: str
    timeout_s: float
    max_retries: int
    retry_budget_s: float
    backoff_s: float
    backoff_max_s: float
    prompt_price_per_mtok: float
    completion_price_per_mtok: float


class EmbeddingSettings(BaseModel):
    """Which embedder turns text into vectors; the dimension is fixed when the schema is made."""

    provider: ProviderName = "offline"
    model: str = "hashing-v1"
    dimension: int = Field(default=384, ge=8, le=4096)
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)


class Settings(BaseSettings):
    """Every setting of the program; environment variables use the prefix `SELFLEARN_`."""

    model_config = SettingsConfigDict(
        env_prefix="SELFLEARN_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "SELFLEARN_DATABASE_URL")
    )
    home: Path = Field(default_factory=default_home)
    seed: int = 0
    llm: LLMSettings = Field(default_factory=LLMSettings)
    manager: LLMSettings = Field(default_factory=LLMSettings)
    teacher: LLMSettings = Field(default_factory=LLMSettings)
    emulator: LLMSettings = Field(default_factory=LLMSettings)
    responder: LLMSettings = Field(default_factory=LLMSettings)
    judge: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    #: Days a finished campaign's episodes, probe results, simulated turns and checkpoints
    #: (and cycles' episodes) are kept; the deep cycle removes older ones. `off`: never.
    retention_days: int | None = Field(default=DEFAULT_RETENTION_DAYS, ge=0)
    #: Whether the deep cycle deletes memories two or more changes behind their current fact.
    #: Off by default: the offline supersede rule links wrongly about one time in three.
    retire_superseded: bool = False
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "SELFLEARN_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "SELFLEARN_OPENAI_BASE_URL"),
    )

    @field_validator("retention_days", mode="before")
    @classmethod
    def _retention_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", "off", "none", "never"):
            return None
        return value

    @property
    def pgdata(self) -> Path:
        """Return the embedded PostgreSQL data directory."""
        return self.home / "pg"

    def llm_for(self, role: str) -> ResolvedLLMSettings:
        """Return the settings of one role, filled from `llm`, then `OPENAI_*`, then defaults."""
        if role not in ROLES:
            raise ConfigError(f"unknown LLM role {role!r}", hint=f"Use one of: {', '.join(ROLES)}.")
        own: LLMSettings = getattr(self, role)
        base = self.llm

        def pick(name: str, default: object) -> object:
            value = getattr(own, name)
            if value is None:
                value = getattr(base, name)
            return default if value is None else value

        provider = pick("provider", "offline")
        return ResolvedLLMSettings(
            role=role,
            provider=provider,  # type: ignore[arg-type]
            base_url=pick("base_url", self.openai_base_url),  # type: ignore[arg-type]
            api_key=pick("api_key", self.openai_api_key),  # type: ignore[arg-type]
            model=pick("model", "offline" if provider == "offline" else "gpt-4o-mini"),  # type: ignore[arg-type]
            timeout_s=pick("timeout_s", 30.0),  # type: ignore[arg-type]
            max_retries=pick("max_retries", 3),  # type: ignore[arg-type]
            retry_budget_s=pick("retry_budget_s", 60.0),  # type: ignore[arg-type]
            backoff_s=pick("backoff_s", 0.5),  # type: ignore[arg-type]
            backoff_max_s=pick("backoff_max_s", 8.0),  # type: ignore[arg-type]
            prompt_price_per_mtok=pick("prompt_price_per_mtok", 0.0),  # type: ignore[arg-type]
            completion_price_per_mtok=pick("completion_price_per_mtok", 0.0),  # type: ignore[arg-type]
        )


def _explain(error: ValidationError) -> ConfigError:
    first = error.errors()[0]
    loc = "__".join(str(part) for part in first["loc"]).upper()
    plain = {"DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"}
    name = loc if loc in plain else f"SELFLEARN_{loc}"
    return ConfigError(
        f"setting {name} is invalid: {first['msg']}",
        hint=f"Fix or unset the environment variable {name}.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (tests call `get_settings.cache_clear()`)."""
    try:
        return Settings()
    except ValidationError as error:
        raise _explain(error) from None

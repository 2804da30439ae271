"""The project's error types: each has a stable `code` and a `hint` saying what to do."""

from __future__ import annotations


class SelflearnError(Exception):
    """Root of every error the project raises on purpose."""

    code = "error"
    exit_code = 1
    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str]:
        """Return the error as a JSON-ready mapping (for the HTTP API and `--json`)."""
        return {"code": self.code, "message": self.message, "hint": self.hint}


class ConfigError(SelflearnError):
    """A setting is missing, malformed or points at something unusable."""

    code = "config"
    exit_code = 2


class InvalidInputError(SelflearnError):
    """Input from the user (a file, a request, an argument) is not acceptable."""

    code = "invalid_input"
    exit_code = 2


class NotFoundError(SelflearnError):
    """A named object (version, experiment, proposal, user) does not exist."""

    code = "not_found"
    exit_code = 3


class ConflictError(SelflearnError):
    """The request contradicts the current state (already decided, already active...)."""

    code = "conflict"
    exit_code = 4


class RuleViolation(SelflearnError):
    """A Tuner safety rule refused a change; `rule` names the rule."""

    code = "rule_violation"
    exit_code = 4

    def __init__(self, message: str, *, rule: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.rule = rule

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "rule": self.rule}


class StoreError(SelflearnError):
    """The database failed or refused an operation."""

    code = "store"
    exit_code = 5


class DatabaseUnavailableError(StoreError):
    """The database cannot be reached or started."""

    code = "database_unavailable"
    default_hint = "Check DATABASE_URL, or unset it to use the embedded PostgreSQL."


class PgvectorMissingError(StoreError):
    """The PostgreSQL server has no pgvector extension."""

    code = "pgvector_missing"
    default_hint = (
        "Install pgvector on that server (Debian: apt-get install postgresql-15-pgvector) "
        "or unset DATABASE_URL to use the embedded PostgreSQL, which bundles it."
    )


class ProviderError(SelflearnError):
    """An LLM or embedding provider call failed; `retries` says how often it was retried."""

    code = "provider"
    exit_code = 6
    retries = 0


class ProviderAuthError(ProviderError):
    """The provider rejected the API key."""

    code = "provider_auth"


class ProviderRateLimitError(ProviderError):
    """The provider kept answering 429 after every retry."""

    code = "provider_rate_limited"


class ProviderUnavailableError(ProviderError):
    """The provider kept failing (5xx or connection errors) after every retry."""

    code = "provider_unavailable"


class ProviderTimeoutError(ProviderError):
    """The provider did not answer within the configured timeout."""

    code = "provider_timeout"


class ProviderResponseError(ProviderError):
    """The provider answered with something that is not what was asked for."""

    code = "provider_bad_response"


class AuthenticationError(SelflearnError):
    """A request carries no token, or one that is unknown or revoked."""

    code = "unauthenticated"
    exit_code = 7
    default_hint = (
        "Send `Authorization: Bearer TOKEN`; `selflearn tokens create --role ROLE` makes one."
    )


class PermissionDeniedError(SelflearnError):
    """The caller's role may not do what it asked."""

    code = "forbidden"
    exit_code = 7

"""What one role call used or how it failed, handed to whoever keeps the accounts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleCall:
    """One model call of a role, as recorded: usage on success, the typed error otherwise."""

    role: str
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    retries: int
    latency_ms: float
    error_type: str | None = None


#: Receives every call a model makes (set on the model, e.g. a campaign's ledger).
UsageSink = Callable[[RoleCall], None]

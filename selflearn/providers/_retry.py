"""Retries of a role's model calls: backoff with seeded jitter inside the role's budget.

A call that fails in a way worth retrying (429, 5xx, timeout, connection reset, an answer
that is not what was asked: invalid or truncated JSON, a broken schema, an unknown tool,
empty content) is tried again after `min(backoff_max_s, backoff_s * 2**n)` seconds scaled
by a jitter drawn from the policy's own seeded generator (so the same run waits the same
way), or after the server's Retry-After when that is longer. It stops after `max_retries`
retries or when the next wait would pass `budget_s` seconds since the first try; the last
error is then raised, typed, with the retries it took.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from selflearn.errors import (
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)

RETRYABLE: tuple[type[ProviderError], ...] = (
    ProviderRateLimitError,
    ProviderUnavailableError,
    ProviderTimeoutError,
    ProviderResponseError,
)


class RetryPolicy:
    """How one role retries: how often, how long in all, and how it waits."""

    def __init__(
        self,
        *,
        max_retries: int = 3,
        budget_s: float = 60.0,
        backoff_s: float = 0.5,
        backoff_max_s: float = 8.0,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_retries = max_retries
        self.budget_s = budget_s
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.seed = seed
        self.sleep = sleep
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Return how long to wait before retry number `retry` (0-based)."""
        ceiling = min(self.backoff_max_s, self.backoff_s * 2**retry)
        with self._lock:  # one generator shared by a role's parallel calls
            jitter = self._rng.uniform(0.5, 1.0)
        wait = ceiling * jitter
        return max(wait, retry_after) if retry_after is not None else wait

    def run(
        self,
        attempt: Callable[[], object],
        *,
        translate: Callable[[Exception], ProviderError],
        retry_after: Callable[[Exception], float | None],
    ) -> tuple[object, int]:
        """Return `attempt()`'s result and the retries it took, or raise the typed error."""
        started = time.monotonic()
        retries = 0
        while True:
            try:
                return attempt(), retries
            except Exception as raw:
                error = translate(raw)
                wait = self.delay(retries, retry_after(raw))
                spent = time.monotonic() - started
                if (
                    not isinstance(error, RETRYABLE)
                    or retries >= self.max_retries
                    or spent + wait > self.budget_s
                ):
                    error.retries = retries
                    if error is raw:
                        raise
                    raise error from raw
                self.sleep(wait)
                retries += 1

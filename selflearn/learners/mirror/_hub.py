"""`MirrorHub`: the field, the policy, the episode logger and the learner of one deployment."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from selflearn.errors import InvalidInputError
from selflearn.learners.mirror._config import MirrorConfig
from selflearn.learners.mirror._episode import Episode
from selflearn.learners.mirror._field import FieldModel, text_pad
from selflearn.learners.mirror._formulas import bucket_key, parse_bucket_key
from selflearn.learners.mirror._policy import choose, make_action
from selflearn.learners.mirror._store import EpisodeStore, Tables
from selflearn.learners.mirror._types import Feedback, FieldState

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]
#: The kinds of events listeners receive.
EVENT_KINDS: tuple[str, ...] = ("field", "feedback", "episode", "policy")
#: How long a user's mirror switch read from the store is trusted before it is read again.
ENABLED_TTL_S = 10.0


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Pending:
    ts: datetime
    bucket_key: str
    arm: tuple[str, int]
    propensity: float
    source: str
    covered: bool
    pre: FieldState


class MirrorHub:
    """Field, policy, logger and learner on any `EpisodeStore` and `FieldModel`; thread-safe.

    Keeps no text and, in its episodes, no user: a reflection is reduced to PAD at once.
    """

    def __init__(
        self,
        store: EpisodeStore,
        field_model: FieldModel,
        *,
        config: MirrorConfig | None = None,
        seed: int = 0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.field_model = field_model
        self.config = config or MirrorConfig()
        self.clock = clock
        self._rng = random.Random(seed)
        self._np_rng = np.random.default_rng(seed)
        self._lock = threading.RLock()
        self._tables: Tables | None = None  # loaded on first use, never in __init__
        self._pending: list[_Pending] = []
        self._last_logged: dict[str, datetime] = {}
        self._enabled: dict[str, tuple[bool, float]] = {}
        self._listeners: list[Listener] = []

    # -- the field ----------------------------------------------------------------------

    def observe(self, user_id: str, text: str, *, ts: datetime | None = None) -> FieldState:
        """Take a user's turn (reflection) into the field; the text itself is not kept.

        An opted-out user's turn does not enter the field. Pending episodes older than
        `settle_min_s` close on this snapshot.
        """
        if not isinstance(text, str):
            raise InvalidInputError(f"a reflection must be text, not {type(text).__name__}")
        now = _check_time(ts) if ts is not None else self.clock()
        enabled = self.is_enabled(user_id)
        with self._lock:
            if enabled:
                self.field_model.observe(user_id, text_pad(text), now)
            else:
                self.field_model.forget(user_id)
            state = self.field_model.state(now)
            closed = self._close(state, self.config.settle_min_s)
        self._write(closed)
        if self._listeners:
            self._emit("field", state.as_dict())
        return state

    def field(self) -> FieldState:
        """Return the field now."""
        with self._lock:
            return self.field_model.state(self.clock())

    # -- the hub ------------------------------------------------------------------------

    def feedback(self, user_id: str) -> Feedback:
        """Choose tone and intensity for the user's turn in the current bucket.

        ε-greedy over the bucket's learned arms (the state-analysis fallback where it has no
        data); the episode is recorded, to close 3–5 s later, unless the bucket logged one
        in the last `rate_limit_s` or the user opted out (then nothing is chosen or logged).
        """
        now = self.clock()
        enabled = self.is_enabled(user_id)
        tables = self._loaded() if enabled else None
        with self._lock:
            state = self.field_model.state(now)
            key = bucket_key(now, state.user_count, state)
            if not enabled:
                result = Feedback(user_id, None, key, 1.0, "opted_out", state, False)
            else:
                assert tables is not None
                choice = choose(tables.get(key), state, self.config, self._rng, self._np_rng)
                last = self._last_logged.get(key)
                logged = last is None or (now - last).total_seconds() >= self.config.rate_limit_s
                if logged:
                    self._last_logged[key] = now
                    self._pending.append(
                        _Pending(
                            now,
                            key,
                            choice.arm,
                            choice.propensity,
                            choice.source,
                            choice.covered,
                            state,
                        )
                    )
                result = Feedback(
                    user_id,
                    make_action(choice.arm),
                    key,
                    choice.propensity,
                    choice.source,
                    state,
                    logged,
                )
        if self._listeners:
            self._emit("feedback", result.as_dict())
        return result

    def has_policy(self, key: str) -> bool:
        """Return whether the bucket has learned arms (the policy is loaded if needed)."""
        return bool(self._loaded().get(key))

    # -- the logger and the learner -----------------------------------------------------

    def tick(self, now: datetime | None = None) -> int:
        """Close the pending episodes due (`settle_max_s` old); return the rows written."""
        return self._settle(now, self.config.settle_max_s)

    def snapshot(self, now: datetime | None = None) -> int:
        """Take a new field snapshot: close the episodes `settle_min_s` old; return the rows
        written (a field that updates by itself, like the simulated one, calls this)."""
        return self._settle(now, self.config.settle_min_s)

    def _settle(self, now: datetime | None, settle_s: float) -> int:
        now = _check_time(now) if now is not None else self.clock()
        with self._lock:
            state = self.field_model.state(now)
            closed = self._close(state, settle_s)
        written = self._write(closed)
        if self._listeners:
            self._emit("field", state.as_dict())
        return written

    def learn(self) -> dict[str, Any]:
        """Recompute the policy from every logged episode now."""
        now = self.clock()
        counts = self.store.learn(now)
        tables = self.store.tables()
        with self._lock:
            self._tables = tables
        result: dict[str, Any] = {
            **counts,
            "arms": sum(len(arms) for arms in tables.values()),
            "updated_at": now.isoformat(),
        }
        self._emit("policy", result)
        return result

    def policy(self, bucket_key: str | None = None) -> list[dict[str, Any]]:
        """Return the rows of `policy_table` (of one bucket, whose key must parse)."""
        if bucket_key is not None:
            parse_bucket_key(bucket_key)
        return self.store.policy_rows(bucket_key)

    def stats(self, start: datetime | None, end: datetime | None) -> dict[str, Any]:
        """Return the episodes' aggregates in [start, end): n, mean normalised reward, mean
        Δcoherence and Δentropy, coverage (share of episodes whose bucket had policy data
        when the arm was chosen) and the number of buckets."""
        for name, value in (("from", start), ("to", end)):
            if value is not None:
                _check_time(value, name)
        if start is not None and end is not None and start > end:
            raise InvalidInputError("stats: `from` is after `to`", hint="Swap the two times.")
        result = self.store.stats(start, end)
        result["from"] = start.isoformat() if start is not None else None
        result["to"] = end.isoformat() if end is not None else None
        return result

    # -- the opt-out switch -------------------------------------------------------------

    def set_enabled(self, user_id: str, enabled: bool) -> None:
        """Set `user_settings.mirror_enabled`; an opted-out user leaves the field at once."""
        _check_user(user_id)
        self.store.set_enabled(user_id, bool(enabled))
        with self._lock:
            self._enabled[user_id] = (bool(enabled), time.monotonic())
            if not enabled:
                self.field_model.forget(user_id)

    def is_enabled(self, user_id: str) -> bool:
        """Return the user's mirror switch (True unless they opted out)."""
        _check_user(user_id)
        cached = self._enabled.get(user_id)
        if cached is not None and time.monotonic() - cached[1] < ENABLED_TTL_S:
            return cached[0]
        value = self.store.is_enabled(user_id)
        self._enabled[user_id] = (value, time.monotonic())
        return value

    # -- listeners ----------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(kind, payload)` on every event; return the unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # -- internals ----------------------------------------------------------------------

    def _loaded(self) -> Tables:
        tables = self._tables
        if tables is None:
            tables = self.store.tables()
            with self._lock:
                if self._tables is None:
                    self._tables = tables
                tables = self._tables
        return tables

    def _close(self, state: FieldState, settle_s: float) -> list[Episode]:
        due: list[_Pending] = []
        kept: list[_Pending] = []
        for pending in self._pending:
            age = (state.ts - pending.ts).total_seconds()
            (due if age >= settle_s else kept).append(pending)
        self._pending = kept
        return [
            Episode(
                p.ts,
                p.bucket_key,
                p.arm[0],
                p.arm[1],
                p.propensity,
                p.source,
                p.covered,
                p.pre,
                state,
            )
            for p in due
        ]

    def _write(self, episodes: list[Episode]) -> int:
        if not episodes:
            return 0
        written = self.store.write(episodes)
        if self._listeners:
            for episode in episodes:
                self._emit("episode", episode.as_dict())
        return written

    def _emit(self, kind: str, payload: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            try:
                listener(kind, payload)
            except Exception:  # a broken listener must not break the hub
                log.exception("mirror listener failed on %s", kind)


def _check_time(value: Any, name: str = "ts") -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInputError(f"{name} must be a timezone-aware datetime, not {value!r}")
    return value


def _check_user(user_id: Any) -> None:
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 200:
        raise InvalidInputError(
            f"user_id must be a non-empty string of at most 200 characters, not {user_id!r}"
        )

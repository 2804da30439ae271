"""`MirrorLoop`: the hub on PostgreSQL and the reflections' field, with its background thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from selflearn.learners.mirror._config import MirrorConfig
from selflearn.learners.mirror._field import ReflectionField
from selflearn.learners.mirror._hub import MirrorHub, utc_now
from selflearn.learners.mirror._store import SqlEpisodeStore

log = logging.getLogger(__name__)


class MirrorLoop(MirrorHub):
    """Field, policy, logger and learner of one deployment; thread-safe.

    Building one touches neither the database nor threads: the policy is read on the first
    feedback or learn. `start()` runs a thread that ticks about every second and learns
    every `learn_every_s`; `stop()` joins it.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        config: MirrorConfig | None = None,
        seed: int = 0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        config = config or MirrorConfig()
        super().__init__(
            SqlEpisodeStore(engine),
            ReflectionField(active_window_s=config.active_window_s),
            config=config,
            seed=seed,
            clock=clock,
        )
        self.engine = engine
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._run_lock = threading.Lock()

    def start(self) -> None:
        """Start the background thread (no-op when it runs)."""
        with self._run_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="mirror-loop", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop and join the background thread; idempotent."""
        with self._run_lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
        if thread is not None:
            thread.join()

    @property
    def running(self) -> bool:
        """Return whether the background thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _run(self) -> None:
        next_learn = time.monotonic() + self.config.learn_every_s
        while not self._stopping.wait(self.config.tick_every_s):
            try:
                self.tick()
                if time.monotonic() >= next_learn:
                    next_learn = time.monotonic() + self.config.learn_every_s
                    self.learn()
            except Exception:  # the loop outlives a failed write; the next tick retries
                log.exception("mirror loop step failed")

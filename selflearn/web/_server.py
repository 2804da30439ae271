"""Run the app under uvicorn, stopping cleanly on SIGTERM exactly as on Ctrl+C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from selflearn.web._state import WebState

__all__ = ["serve_app"]

#: How long requests in flight get to finish once a stop is asked for.
GRACEFUL_SECONDS = 15


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal once it has shut down.

    uvicorn re-raises SIGTERM after a graceful shutdown so the process dies of it (exit 143);
    here a stop asked for by SIGTERM is a clean exit like Ctrl+C. The app learns of the stop
    at once, so event streams end and background campaigns stop at their next step while
    requests in flight finish.
    """

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_stop = on_stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_stop()
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl+C: stop waiting
        self.should_exit = True

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {
            sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve_app(app: FastAPI, *, host: str, port: int) -> None:
    """Serve `app` until SIGINT or SIGTERM; return once everything has stopped."""
    state: WebState = app.state.web

    def on_stop() -> None:
        state.stopping.set()
        for job in state.jobs.active():
            job.stop_requested.set()

    config = uvicorn.Config(
        app, host=host, port=port, timeout_graceful_shutdown=GRACEFUL_SECONDS, log_level="info"
    )
    _Server(config, on_stop).run()

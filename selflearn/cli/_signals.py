"""Stop on SIGTERM the way Ctrl+C stops: unwind, record what was interrupted, exit cleanly.

systemd, Docker and Kubernetes stop a process with SIGTERM. Python's default for it is to
die on the spot: no `finally`, no atexit, so the embedded PostgreSQL is left running with
no one attached and a campaign still reads `running`. Here SIGTERM and SIGINT both ask the
command to stop. A command that can stop at a safe point (a campaign, between steps) says
so with `graceful_stop()` and is left to finish its step; any other is interrupted at once
(KeyboardInterrupt), and a second signal always interrupts at once.
"""

from __future__ import annotations

import faulthandler
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["INTERRUPTED_EXIT", "graceful_stop", "stop_on_signals", "stop_requested"]

#: What a shell reports for a command stopped by Ctrl+C (128 + SIGINT).
INTERRUPTED_EXIT = 130

_requested = threading.Event()
_graceful = threading.Event()


def stop_requested() -> bool:
    """Return whether SIGTERM or SIGINT asked this process to stop."""
    return _requested.is_set()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    first = not _requested.is_set()
    _requested.set()
    if first and _graceful.is_set():
        return  # the running command stops at its next safe point
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """Make SIGTERM behave as SIGINT does, both through `_on_signal` (main thread only).

    SIGUSR1 prints every thread's stack to stderr and goes on: what a process that does
    not stop is waiting for (`kill -USR1 <pid>`).
    """
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _on_signal)
        faulthandler.register(signal.SIGUSR1, all_threads=True)


@contextmanager
def graceful_stop() -> Iterator[Callable[[], bool]]:
    """Within the block, a first signal only sets the flag the yielded function reads."""
    _graceful.set()
    try:
        yield stop_requested
    finally:
        _graceful.clear()

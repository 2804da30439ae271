"""Stop on SIGTERM the way Ctrl+C stops: unwind, record what was interrupted, exit cleanly.

systemd, Docker and Kubernetes stop a process with SIGTERM. Python's default for it is to
die on the spot: no `finally`, no atexit, so the embedded PostgreSQL is left running with
no one attached and a campaign still reads `running`. Raising KeyboardInterrupt instead
runs the same clean-up path as Ctrl+C.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

__all__ = ["INTERRUPTED_EXIT", "stop_on_sigterm"]

#: What a shell reports for a command stopped by Ctrl+C (128 + SIGINT).
INTERRUPTED_EXIT = 130


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_sigterm() -> None:
    """Make SIGTERM raise KeyboardInterrupt in the main thread, like SIGINT."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)

"""The live side of the mirror loop: its events pushed to every WebSocket client.

The loop calls its listeners from its own thread or the caller's; the hub serialises each
event once there and hands it to the server's asyncio loop with `call_soon_threadsafe`.
Each client has a bounded queue drained by its own sender task, so a slow or gone client
never blocks the loop or the others: when its queue is full the client is dropped (closed
with 1013, "try again later") rather than the loop waiting for it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from anyio import to_thread

from selflearn.errors import SelflearnError

if TYPE_CHECKING:
    from selflearn.learners.mirror import MirrorLoop

__all__ = ["HubClient", "LiveHub"]

logger = logging.getLogger(__name__)

#: Messages a client may fall behind by before it is dropped.
QUEUE_SIZE = 2048
#: Recent episodes kept for a page that opens (its Δcoherence/Δentropy chart).
RECENT_EPISODES = 240
#: Close codes: the server is going away; the client is too slow ("try again later").
GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013
#: The field is a state, not a stream: clients get its latest value at most this often.
FIELD_EVERY_S = 0.2


@dataclass
class HubClient:
    """One live client: its queue of serialised messages and what it was sent or missed."""

    id: int
    role: str
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False
    close_code: int = GOING_AWAY

    def offer(self, message: str) -> bool:
        """Queue `message` without waiting; False when the client is too far behind."""
        if self.dropped:
            return False
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True
            self.close_code = TRY_AGAIN_LATER
            self._end()
            return False
        return True

    def close(self, code: int = GOING_AWAY) -> None:
        """Ask the sender to stop after what is queued."""
        self.close_code = code
        self._end()

    def _end(self) -> None:
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:  # full: make room for the end marker, the rest is moot
            self.queue.get_nowait()
            self.queue.put_nowait(None)


class LiveHub:
    """Fan the mirror loop's events out to the live WebSocket clients (see the module doc)."""

    def __init__(
        self, loop: MirrorLoop, *, rate_per_second: float = 20.0, rate_burst: int = 40
    ) -> None:
        """`rate_per_second` and `rate_burst` limit the messages each client may send."""
        self.loop = loop
        self.rate_per_second = rate_per_second
        self.rate_burst = rate_burst
        self._clients: dict[int, HubClient] = {}
        self._ids = itertools.count(1)
        self._aio: asyncio.AbstractEventLoop | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._recent: deque[dict[str, Any]] = deque(maxlen=RECENT_EPISODES)
        self._last: dict[str, dict[str, Any]] = {}
        self.counts: dict[str, int] = {"events": 0, "pushed": 0, "dropped_clients": 0}
        self._heatmap_due = False
        self._field_message: str | None = None

    # -- lifecycle (the app's lifespan) ------------------------------------------------

    def start(self, aio: asyncio.AbstractEventLoop) -> None:
        """Listen to the loop and push on `aio` (the server's event loop)."""
        with self._lock:
            if self._unsubscribe is not None:
                return
            self._aio = aio
            self._unsubscribe = self.loop.subscribe(self._on_event)

    def stop(self) -> None:
        """Stop listening and close every client (going away)."""
        with self._lock:
            unsubscribe, self._unsubscribe = self._unsubscribe, None
            self._aio = None
        if unsubscribe is not None:
            unsubscribe()
        for client in list(self._clients.values()):
            client.close(GOING_AWAY)

    # -- clients (the asyncio thread) --------------------------------------------------

    def connect(self, role: str) -> HubClient:
        """Register a client; it gets every event from now on."""
        client = HubClient(next(self._ids), role)
        self._clients[client.id] = client
        return client

    def disconnect(self, client: HubClient) -> None:
        """Forget a client (it left, or was dropped)."""
        if self._clients.pop(client.id, None) is not None and client.dropped:
            self.counts["dropped_clients"] += 1

    @property
    def client_count(self) -> int:
        """How many clients are connected."""
        return len(self._clients)

    def recent_episodes(self) -> list[dict[str, Any]]:
        """The last episodes the loop closed (oldest first), for a page that opens."""
        with self._lock:
            return list(self._recent)

    def last(self, kind: str) -> dict[str, Any] | None:
        """The last event of `kind` ("field", "feedback", ...) seen since the hub started."""
        with self._lock:
            return self._last.get(kind)

    def broadcast(self, kind: str, data: dict[str, Any]) -> None:
        """Push a message the hub makes itself (e.g. the heatmap after a policy update)."""
        self._on_event(kind, data)

    # -- events (any thread) -----------------------------------------------------------

    def _on_event(self, kind: str, data: dict[str, Any]) -> None:
        message = json.dumps({"type": kind, "data": data}, default=str)
        with self._lock:
            self._last[kind] = data
            if kind == "episode":
                self._recent.append(data)
            aio = self._aio
            if kind == "field":  # coalesced: only the latest is pushed, every FIELD_EVERY_S
                already_due = self._field_message is not None
                self._field_message = message
                if already_due:
                    return
        if aio is None:
            return
        try:
            if kind == "field":
                aio.call_soon_threadsafe(aio.call_later, FIELD_EVERY_S, self._push_field)
            else:
                aio.call_soon_threadsafe(self._fan_out, message, kind)
        except RuntimeError:  # the server's loop has closed: nobody is listening any more
            pass

    def _push_field(self) -> None:
        with self._lock:
            message, self._field_message = self._field_message, None
        if message is not None:
            self._fan_out(message, "field")

    def _fan_out(self, message: str, kind: str) -> None:
        self.counts["events"] += 1
        if kind == "policy" and not self._heatmap_due:
            self._heatmap_due = True
            asyncio.get_running_loop().create_task(self._push_heatmap())
        for client in list(self._clients.values()):
            if client.dropped:
                continue
            if client.offer(message):
                self.counts["pushed"] += 1
            else:
                logger.warning("mirror client %s fell behind and was dropped", client.id)

    async def _push_heatmap(self) -> None:
        """After a learning pass: push the new policy as the heatmap, and the day's stats."""
        from selflearn.web._mirror_views import heatmap

        def read() -> tuple[dict[str, Any], dict[str, Any]]:
            now = self.loop.clock()
            return heatmap(self.loop.policy()), self.loop.stats(now - timedelta(hours=24), now)

        try:
            await asyncio.sleep(0.2)  # one push for a burst of policy events
            self._heatmap_due = False
            table, stats = await to_thread.run_sync(read)
        except SelflearnError as error:
            logger.warning("the mirror heatmap could not be read: %s", error)
            return
        self._on_event("heatmap", table)
        self._on_event("stats", stats)

"""Server-sent events: a campaign job's progress, and a reply given piece by piece."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from anyio import to_thread

from selflearn.web._jobs import CampaignJob
from selflearn.web._state import WebState

__all__ = ["SSE_MEDIA_TYPE", "event", "job_events", "sse_response", "static_events"]

SSE_MEDIA_TYPE = "text/event-stream"


def sse_response(events: list[str], description: str) -> dict[str, Any]:
    """Return the OpenAPI entry of a 200 answered as a stream of these events."""
    schema = {
        "type": "object",
        "properties": {
            "event": {"type": "string", "enum": events},
            "data": {"type": "string", "description": "A JSON object."},
            "id": {"type": "string"},
        },
        "required": ["event", "data"],
    }
    return {"description": description, "content": {SSE_MEDIA_TYPE: {"schema": schema}}}


_WAIT_SECONDS = 0.5


def event(name: str, data: Any, event_id: int | None = None) -> str:
    """Return one event in the text/event-stream format."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


async def job_events(job: CampaignJob, state: WebState, after: int = -1) -> AsyncIterator[str]:
    """Yield the job's events after id `after` until it ends or the server stops."""
    last = after
    idle = 0
    while True:
        batch = await to_thread.run_sync(job.events_after, last, _WAIT_SECONDS)
        for item in batch:
            last = item["id"]
            yield event(item["event"], item["data"], item["id"])
        if job.done and not job.events_after(last, 0):
            return
        if state.stopping.is_set():
            yield event("server_stopping", {"campaign_id": job.campaign_id})
            return
        idle = 0 if batch else idle + 1
        if idle >= 20:  # a comment every ~10 s keeps proxies from closing the stream
            idle = 0
            yield ": keep-alive\n\n"


async def static_events(items: Iterable[tuple[str, Any]]) -> AsyncIterator[str]:
    """Yield a fixed list of events (a finished campaign, a Manager reply)."""
    for number, (name, data) in enumerate(items):
        yield event(name, data, number)

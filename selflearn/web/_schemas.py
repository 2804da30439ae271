"""Request and response bodies of the HTTP API (the Student's own types are reused as is)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from selflearn.maas import AddedMemory, MemoryInput, MemoryRecord

__all__ = [
    "AddMemoriesRequest",
    "AddMemoriesResponse",
    "ChatRequest",
    "DeleteMemoriesResponse",
    "ErrorBody",
    "ErrorEnvelope",
    "Health",
    "MemoryList",
    "SearchRequest",
    "VersionSelection",
]

CYCLE_TYPES_TEXT = "micro, macro, deep or online"


def _not_a_number(value: Any) -> Any:
    # pydantic reads 0 as 1970-01-01 and 1 as true; a client that sends them meant neither.
    if isinstance(value, int | float):
        raise ValueError("a time is an ISO 8601 string, e.g. 2024-06-01T12:00:00Z")
    return value


#: A moment as an ISO 8601 string (never a number).
Moment = Annotated[datetime, BeforeValidator(_not_a_number)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionSelection(_Request):
    """Which parameters one request runs on.

    In order of precedence: explicit `params`; `version_id`; the version bound to
    `experiment_id` + `variant`; the active version; the defaults.
    """

    version_id: str | None = Field(
        None, description="Id (UUID) of a parameter version; unknown ids answer 404."
    )
    experiment_id: str | None = Field(
        None, description="Experiment whose `variant` arm to run on (needs `variant`)."
    )
    variant: str | None = Field(None, description="Variant of `experiment_id`.")
    params: dict[str, Any] | None = Field(
        None,
        description='Explicit impact-factor values (e.g. {"retrieval.top_k": 3}); '
        "missing factors take their defaults.",
    )


class AddMemoriesRequest(_Request):
    """A batch of memories for one user: stored all together or not at all."""

    items: list[MemoryInput | str] = Field(
        description="Memories: objects with at least `text`, or plain strings."
    )
    now: Moment | None = Field(
        None, description="When the memories were learnt (default: the server's clock)."
    )
    merge_duplicates: StrictBool = Field(
        True, description="Merge near-duplicates into the memory they repeat."
    )


class AddMemoriesResponse(BaseModel):
    """One outcome per input, in input order."""

    items: list[AddedMemory]


class MemoryList(BaseModel):
    """A user's memories, newest first."""

    user_id: str
    items: list[MemoryRecord]


class DeleteMemoriesResponse(BaseModel):
    """How many memories were deleted."""

    deleted: int


class FeedbackRequest(_Request):
    """The user's verdict on one answer, for the memories that answer used."""

    memory_ids: list[uuid.UUID] = Field(
        description="The turn's `used_memory_ids`; each must be one of the user's memories."
    )
    helpful: StrictBool = Field(description="Whether the answer helped the user.")


class FeedbackResponse(BaseModel):
    """How many memories were credited as helpful."""

    credited: int


class SearchRequest(VersionSelection):
    """A query over one user's memories."""

    query: str = Field(
        min_length=1,
        max_length=16 * 1024,
        description="What to look for (non-empty, at most 16 KB of UTF-8).",
    )
    now: Moment | None = Field(
        None, description="The moment the query is asked at (recency and time expressions)."
    )


class ChatRequest(VersionSelection):
    """One user message to the Student, and what the caller knows about the turn."""

    message: str = Field(
        min_length=1,
        max_length=16 * 1024,
        description="The user's message (non-empty, at most 16 KB of UTF-8).",
    )
    cycle_type: str = Field("online", description=f"Telemetry cycle type: {CYCLE_TYPES_TEXT}.")
    episode_id: str | None = Field(None, description="Episode the turn belongs to (simulations).")
    now: Moment | None = Field(
        None, description="When the message is sent (simulations pass scenario time)."
    )
    speaker: str | None = Field(None, description="Who says it, kept with the stored memory.")
    turn_id: str | None = Field(
        None, description="Dialogue turn id kept as the stored memory's provenance."
    )
    relevant_turn_ids: list[str] | None = Field(
        None, description="Ground truth: turns holding the answer (makes the hit rate real)."
    )


class Health(BaseModel):
    """The server answers and its database is reachable."""

    status: str
    version: str
    database: str


class ErrorBody(BaseModel):
    """What went wrong and what to do about it."""

    code: str = Field(description="Stable machine-readable error code.")
    message: str
    hint: str = Field(description="What to do about it.")
    rule: str | None = Field(None, description="The Tuner rule that refused a change.")
    details: list[dict[str, Any]] | None = Field(
        None, description="Every problem of a malformed request (422 only)."
    )


class ErrorEnvelope(BaseModel):
    """The body of every error answer."""

    error: ErrorBody

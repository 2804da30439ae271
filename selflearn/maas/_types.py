"""The shapes the memory service takes and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MemoryInput(BaseModel):
    """One memory to store: what was said, by whom, when, and where it came from."""

    model_config = ConfigDict(extra="forbid")

    text: str
    speaker: str | None = None
    occurred_at: datetime | None = None
    source_turn_ids: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    provenance: dict[str, Any] = Field(default_factory=dict)


class AddedMemory(BaseModel):
    """The outcome of storing one input: a new memory, or one it was merged into."""

    id: uuid.UUID
    merged: bool = False


class MemoryRecord(BaseModel):
    """A stored memory as the service lists it."""

    id: uuid.UUID
    user_id: str
    text: str
    speaker: str | None
    occurred_at: datetime
    source_turn_ids: list[str]
    tags: list[str]
    provenance: dict[str, Any]
    times_retrieved: int
    times_used: int
    times_helpful: int
    flagged: bool
    #: The newer memory that changed this fact ("I now live in ..."), if any.
    superseded_by: uuid.UUID | None = None


class RetrievedMemory(BaseModel):
    """A memory found for a query, with the parts of its score.

    `dense` is the cosine similarity (clipped to 0..1), `lexical` the BM25 score divided by
    the query's ideal score (clipped to 0..1), `relevance` their fusion by
    `retrieval.relevance_weight`, `recency` the half-life decay, and `score` the final
    ranking score.
    """

    id: uuid.UUID
    text: str
    speaker: str | None
    occurred_at: datetime
    source_turn_ids: list[str]
    tags: list[str]
    provenance: dict[str, Any]
    dense: float
    lexical: float
    relevance: float
    recency: float
    score: float
    in_context: bool = False


class SearchResult(BaseModel):
    """Memories found for one query and how the search went."""

    items: list[RetrievedMemory]
    keywords: list[str]
    time_range: tuple[datetime, datetime] | None
    parameter_version_id: uuid.UUID | None
    strategy: str
    latency_ms: float


class TurnResult(BaseModel):
    """Everything one Student turn produced."""

    pipeline_run_id: uuid.UUID
    answer: str
    abstained: bool
    retrieved: list[RetrievedMemory]
    used_memory_ids: list[uuid.UUID]
    context: str
    context_tokens: int
    latency_ms: dict[str, float]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    retries: int
    parameter_version_id: uuid.UUID | None
    params: dict[str, Any]
    prompt_version: str
    experiment_id: str | None
    variant: str | None
    stored_memory: AddedMemory | None
    isolation_ok: bool

"""The Student as an external client sees it: the calls the User Emulator and the tools make.

Both the in-process `MemoryService` and the HTTP client (`selflearn.web`) satisfy it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol


class StudentReply(Protocol):
    """The part of a Student turn the emulator reads."""

    pipeline_run_id: uuid.UUID
    answer: str
    abstained: bool
    retrieved: Any
    used_memory_ids: Any
    latency_ms: dict[str, float]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class StudentClient(Protocol):
    """The Student as an external client sees it (in-process service or HTTP)."""

    def chat_turn(
        self,
        user_id: str,
        message: str,
        *,
        version_id: uuid.UUID | str | None = None,
        experiment_id: str | None = None,
        variant: str | None = None,
        cycle_type: str = "online",
        episode_id: str | None = None,
        now: datetime | None = None,
        speaker: str | None = None,
        relevant_turn_ids: list[str] | None = None,
        turn_id: str | None = None,
    ) -> StudentReply: ...

    def delete_memories(self, user_id: str, ids: list[uuid.UUID] | None = None) -> int: ...

    def record_feedback(
        self, user_id: str, memory_ids: list[uuid.UUID], *, helpful: bool
    ) -> int: ...

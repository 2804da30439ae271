"""LoCoMo conversations as a golden set: ingested once, scored for many parameter sets.

The measure is exactly `evaluate_locomo`'s: one scratch memory space
per conversation (one memory per dialog turn, `locomo_memories`), every question with
evidence asked the day after the last session, recall@k = evidence turn ids among the
sources of the top k memories / evidence ids. What differs is the lifetime: the memories
are stored once when the set is entered and deleted when it is left, so a search of many
trials pays for ingestion once; and every question's recall is kept, for paired tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from os import PathLike
from types import TracebackType
from typing import Any

from selflearn.errors import InvalidInputError
from selflearn.locomo._harness import REPLY_CONTEXT_CHARS, locomo_memories
from selflearn.locomo._load import load_locomo
from selflearn.locomo._models import LocomoConversation
from selflearn.maas import MemoryService
from selflearn.space import validate_params


@dataclass(frozen=True)
class _Question:
    sample_id: str
    user_id: str
    question: str
    evidence: frozenset[str]
    category: int
    asked_at: datetime


@dataclass(frozen=True)
class QuestionRecall:
    """Per-question recall@k of one parameter set, in the set's question order."""

    ks: tuple[int, ...]
    per_question: dict[int, list[float]]
    conversations: dict[str, dict[int, float]]

    def mean(self, k: int) -> float:
        """Return the mean recall@k over every question."""
        values = self.per_question[k]
        return sum(values) / len(values) if values else 0.0

    def means(self, digits: int = 4) -> dict[str, float]:
        """Return the mean recall at every k, keyed by str(k) as the LoCoMo report is."""
        return {str(k): round(self.mean(k), digits) for k in self.ks}


class LocomoGoldenSet:
    """A context manager: LoCoMo conversations stored once, evaluated for any parameters."""

    def __init__(
        self,
        paths: Iterable[str | PathLike[str]],
        *,
        service: MemoryService,
        ks: Sequence[int] = (5, 10, 25),
        reply_context_chars: int = REPLY_CONTEXT_CHARS,
    ) -> None:
        self.reply_context_chars = reply_context_chars
        self.ks = tuple(sorted({int(k) for k in ks}))
        if not self.ks or self.ks[0] < 1:
            raise InvalidInputError("ks must hold positive ranks", hint="Use e.g. (5, 10, 25).")
        # Parse every file before storing anything: a bad file fails alone and early.
        self.conversations: list[LocomoConversation] = [load_locomo(path) for path in paths]
        if not self.conversations:
            raise InvalidInputError("no LoCoMo file given", hint="Pass at least one file.")
        self.service = service
        self.questions: list[_Question] = []
        self._users: list[str] = []

    @property
    def sample_ids(self) -> list[str]:
        """Return the conversations' sample ids, in order."""
        return [c.sample_id for c in self.conversations]

    def __enter__(self) -> LocomoGoldenSet:
        try:
            for conversation in self.conversations:
                self._ingest(conversation)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _ingest(self, conversation: LocomoConversation) -> None:
        user_id = f"locomo-golden:{conversation.sample_id}:{uuid.uuid4().hex[:8]}"
        self._users.append(user_id)
        asked_at = conversation.sessions[-1].date_time + timedelta(days=1)
        items = locomo_memories(conversation, reply_context_chars=self.reply_context_chars)
        self.service.add_memories(user_id, items, now=asked_at, merge_duplicates=False)
        for qa in conversation.qa:
            if qa.evidence:
                self.questions.append(
                    _Question(
                        sample_id=conversation.sample_id,
                        user_id=user_id,
                        question=qa.question,
                        evidence=frozenset(qa.evidence),
                        category=qa.category,
                        asked_at=asked_at,
                    )
                )

    def close(self) -> None:
        """Delete the scratch memory spaces (safe to call twice)."""
        while self._users:
            self.service.delete_memories(self._users.pop())

    def evaluate(self, params: Mapping[str, Any]) -> QuestionRecall:
        """Return every question's evidence recall@k under `params` (defaults fill the rest)."""
        if not self._users and self.questions:
            raise InvalidInputError("the golden set was closed", hint="Enter it again.")
        run_params = {**validate_params(params), "retrieval.top_k": self.ks[-1]}
        per_question: dict[int, list[float]] = {k: [] for k in self.ks}
        by_conversation: dict[str, dict[int, list[float]]] = {}
        for q in self.questions:
            result = self.service.search(q.user_id, q.question, params=run_params, now=q.asked_at)
            for k in self.ks:
                found = {turn for item in result.items[:k] for turn in item.source_turn_ids}
                share = len(q.evidence & found) / len(q.evidence)
                per_question[k].append(share)
                by_conversation.setdefault(q.sample_id, {}).setdefault(k, []).append(share)
        return QuestionRecall(
            ks=self.ks,
            per_question=per_question,
            conversations={
                sample: {k: round(sum(v) / len(v), 4) for k, v in per_k.items()}
                for sample, per_k in by_conversation.items()
            },
        )

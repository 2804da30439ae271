"""LoCoMo evidence recall of the memory service (retrieval only, no LLM).

Each conversation becomes one memory space (a scratch user id, deleted afterwards, also on
failure). Every dialog turn is one memory: its text (a shared image adds
"[shares a photo: caption]"), the end of the turn it replies to (see
`with_reply_context`), its speaker, its `dia_id` as source turn id and its session date as
time. Every question with evidence is a probe, asked the day after the last session.

Evidence recall@k of a question = evidence ids among the sources of the top k memories /
evidence ids; reported as the mean over questions, overall and per category (1 multi-hop,
2 temporal, 3 open-domain, 4 single-hop, 5 adversarial). Nothing here looks at answers or
evidence before ranking.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from os import PathLike
from typing import Any

from pydantic import BaseModel, Field

from selflearn.locomo._load import load_locomo
from selflearn.locomo._models import LocomoConversation
from selflearn.maas import (
    MemoryInput,
    MemoryService,
    assemble_context,
    resolve_parameters,
    with_reply_context,
)
from selflearn.store import session_scope

__all__ = ["ConversationReport", "LocomoReport", "evaluate_locomo", "locomo_memories"]

Progress = Callable[[str], None]
REPLY_CONTEXT_CHARS = 250


class ConversationReport(BaseModel):
    """The figures of one conversation."""

    sample_id: str
    turns: int
    questions: int
    recall: dict[str, float]
    ingest_seconds: float
    query_seconds: float


class LocomoReport(BaseModel):
    """Evidence recall, hit rate, latency and context size over the conversations."""

    questions: int
    recall: dict[str, float]
    by_category: dict[str, dict[str, float]]
    latency_ms: dict[str, float]
    hit_rate: dict[str, float]
    context_tokens: dict[str, float]
    questions_by_category: dict[str, int]
    conversations: list[ConversationReport]
    params: dict[str, Any]
    parameter_version_id: str | None
    embedder: str
    mode: str = "offline retrieval (no LLM)"
    reply_context_chars: int = REPLY_CONTEXT_CHARS
    evidence_ids_dropped: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data; the four headline keys come first."""
        data = self.model_dump(mode="json")
        head = ("questions", "recall", "by_category", "latency_ms")
        return {**{k: data[k] for k in head}, **{k: v for k, v in data.items() if k not in head}}


def locomo_memories(
    conversation: LocomoConversation, *, reply_context_chars: int = REPLY_CONTEXT_CHARS
) -> list[MemoryInput]:
    """Return one memory per dialog turn of `conversation`, in order."""
    items: list[MemoryInput] = []
    for session in conversation.sessions:
        previous: tuple[str, str] | None = None
        for turn in session.turns:
            body = turn.text.strip()
            if turn.blip_caption:
                body = f"{body} [shares a photo: {turn.blip_caption.strip()}]"
            text = with_reply_context(
                body,
                previous[0] if previous else None,
                previous[1] if previous else None,
                max_chars=reply_context_chars,
            )
            items.append(
                MemoryInput(
                    text=text,
                    speaker=turn.speaker,
                    occurred_at=session.date_time,
                    source_turn_ids=[turn.dia_id],
                    provenance={"source": "locomo", "sample_id": conversation.sample_id},
                )
            )
            previous = (turn.speaker, body)
    return items


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def evaluate_locomo(
    paths: Iterable[str | PathLike[str]],
    *,
    service: MemoryService,
    ks: Iterable[int] = (5, 10, 25),
    params: Mapping[str, Any] | None = None,
    version_id: uuid.UUID | str | None = None,
    progress: Progress | None = None,
    reply_context_chars: int = REPLY_CONTEXT_CHARS,
) -> LocomoReport:
    """Ingest each LoCoMo file into a scratch memory space and measure evidence recall@k.

    `service` is the Student under test (one that does not archive its turns).

    Every file is parsed before anything is stored, so a malformed file fails with its name
    and field and nothing is ingested; each conversation is stored in one transaction and
    its scratch user is deleted when it has been evaluated (or has failed).
    """
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        from selflearn.errors import InvalidInputError

        raise InvalidInputError("ks must hold positive ranks", hint="Use e.g. ks=(5, 10, 25).")
    conversations = [load_locomo(path) for path in paths]
    with session_scope(service.engine) as session:
        resolved = resolve_parameters(session, version_id=version_id, params=params)
    run_params = {**resolved.params, "retrieval.top_k": max(ks, default=5)}
    top_k = int(resolved.params["retrieval.top_k"])
    max_tokens = int(resolved.params["context.max_tokens"])

    recalls: dict[int, list[float]] = {k: [] for k in ks}
    hits: dict[int, list[float]] = {k: [] for k in ks}
    by_category: dict[int, dict[int, list[float]]] = {}
    latencies: list[float] = []
    context_tokens: list[float] = []
    per_conversation: list[ConversationReport] = []
    dropped: list[str] = []
    for conversation in conversations:
        dropped += [
            f"{conversation.sample_id}:{e}" for e in conversation.quirks.unknown_evidence_ids
        ]
        user_id = f"locomo-eval:{conversation.sample_id}:{uuid.uuid4().hex[:8]}"
        items = locomo_memories(conversation, reply_context_chars=reply_context_chars)
        asked_at = conversation.sessions[-1].date_time + timedelta(days=1)
        conv_recall: dict[int, list[float]] = {k: [] for k in ks}
        try:
            started = time.perf_counter()
            service.add_memories(user_id, items, now=asked_at, merge_duplicates=False)
            ingested = time.perf_counter()
            for qa in conversation.qa:
                if not qa.evidence:
                    continue
                result = service.search(user_id, qa.question, params=run_params, now=asked_at)
                latencies.append(result.latency_ms)
                context = assemble_context(result.items[:top_k], max_tokens=max_tokens)
                context_tokens.append(context.tokens)
                evidence = set(qa.evidence)
                for k in ks:
                    found = {s for item in result.items[:k] for s in item.source_turn_ids}
                    share = len(evidence & found) / len(evidence)
                    recalls[k].append(share)
                    conv_recall[k].append(share)
                    hits[k].append(1.0 if evidence & found else 0.0)
                    by_category.setdefault(qa.category, {}).setdefault(k, []).append(share)
            finished = time.perf_counter()
        finally:
            service.delete_memories(user_id)
        per_conversation.append(
            ConversationReport(
                sample_id=conversation.sample_id,
                turns=len(items),
                questions=len(conv_recall[ks[0]]),
                recall={str(k): _mean(v) for k, v in conv_recall.items()},
                ingest_seconds=round(ingested - started, 3),
                query_seconds=round(finished - ingested, 3),
            )
        )
        if progress is not None:
            recall_text = ", ".join(f"@{k} {_mean(v):.3f}" for k, v in conv_recall.items())
            progress(f"{conversation.sample_id}: {len(items)} turns, recall {recall_text}")
    return LocomoReport(
        questions=len(recalls[ks[0]]),
        recall={str(k): _mean(v) for k, v in recalls.items()},
        by_category={
            str(c): {str(k): _mean(v) for k, v in sorted(per_k.items())}
            for c, per_k in sorted(by_category.items())
        },
        latency_ms={"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        hit_rate={str(k): _mean(v) for k, v in hits.items()},
        context_tokens={
            "mean": round(statistics.fmean(context_tokens), 1) if context_tokens else 0.0,
            "p95": _percentile(context_tokens, 0.95),
        },
        questions_by_category={
            str(c): len(next(iter(per_k.values()))) for c, per_k in sorted(by_category.items())
        },
        conversations=per_conversation,
        params=dict(resolved.params),
        parameter_version_id=str(resolved.version_id) if resolved.version_id else None,
        embedder=service.embedder.name,
        reply_context_chars=reply_context_chars,
        evidence_ids_dropped=dropped,
    )

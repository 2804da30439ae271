"""One turn's stages (analyzer → assembler → responder), timed, and their telemetry."""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from selflearn.errors import SelflearnError
from selflearn.maas._analyzer import QueryAnalysis, analyze_query
from selflearn.maas._assembler import AssembledContext, assemble_context
from selflearn.maas._prompts import load_prompt
from selflearn.maas._records import to_retrieved
from selflearn.maas._responder import ResponderModel, ResponderOutcome, respond
from selflearn.maas._retrieval import Candidate, RetrievalConfig, RetrievalOutcome, retrieve
from selflearn.maas._telemetry import StageEvent, TurnTelemetry
from selflearn.maas._turn_metrics import avg_age_days, hit, tag_overlap
from selflearn.maas._types import AddedMemory, TurnResult
from selflearn.maas._versions import ResolvedParameters
from selflearn.providers import Embedder
from selflearn.store import session_scope

__all__ = ["TurnOutcome", "TurnPipeline"]


@dataclass
class TurnOutcome:
    """What the three stages produced."""

    analysis: QueryAnalysis
    retrieval: RetrievalOutcome
    context: AssembledContext
    response: ResponderOutcome
    latency_ms: dict[str, float]

    @property
    def in_context(self) -> list[Candidate]:
        """Return the retrieved memories that made it into the context."""
        return [self.retrieval.candidates[i] for i in self.context.included]

    @property
    def retrieved_ids(self) -> list[uuid.UUID]:
        """Return the ids of every retrieved memory."""
        return [c.id for c in self.retrieval.candidates]

    @property
    def used_ids(self) -> list[uuid.UUID]:
        """Return the ids of the memories the answer draws on."""
        lines = self.in_context
        return [lines[n - 1].id for n in self.response.used if 0 < n <= len(lines)]

    def to_turn_result(
        self, pipeline_id: uuid.UUID, resolved: ResolvedParameters, stored: AddedMemory | None
    ) -> TurnResult:
        """Return the public result of the turn."""
        included = set(self.context.included)
        return TurnResult(
            pipeline_run_id=pipeline_id,
            answer=self.response.answer,
            abstained=self.response.abstained,
            retrieved=[
                to_retrieved(c, in_context=i in included)
                for i, c in enumerate(self.retrieval.candidates)
            ],
            used_memory_ids=self.used_ids,
            context=self.context.text,
            context_tokens=self.context.tokens,
            latency_ms=dict(self.latency_ms),
            prompt_tokens=self.response.prompt_tokens,
            completion_tokens=self.response.completion_tokens,
            cost_usd=self.response.cost_usd,
            retries=self.response.retries,
            parameter_version_id=resolved.version_id,
            params=dict(resolved.params),
            prompt_version=str(resolved.params["responder.system_prompt_version"]),
            experiment_id=resolved.experiment_id,
            variant=resolved.variant,
            stored_memory=stored,
            isolation_ok=self.retrieval.isolation_ok,
        )


@dataclass
class TurnPipeline:
    """Runs and times the stages of one request; builds its telemetry."""

    embedder: Embedder
    config: RetrievalConfig
    responder: ResponderModel | None = None
    started: float = field(default_factory=time.perf_counter)
    latency_ms: dict[str, float] = field(default_factory=dict)
    outcome: TurnOutcome | None = None
    relevant_turn_ids: Collection[str] | None = None
    now: datetime | None = None

    def _lap(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.latency_ms[stage] = (now - since) * 1000
        return now

    def retrieve(
        self, session: Session, user_id: str, query: str, params: dict[str, Any], now: datetime
    ) -> tuple[QueryAnalysis, RetrievalOutcome]:
        """Analyse the query and retrieve memories (the analyzer and half the assembler)."""
        mark = time.perf_counter()
        analysis = analyze_query(
            query, now=now, keyword_count=int(params["retrieval.keyword_count"])
        )
        mark = self._lap("analyzer", mark)
        vector = self.embedder.embed([query])[0]
        outcome = retrieve(
            session,
            user_id=user_id,
            analysis=analysis,
            query_vector=vector,
            params=params,
            now=now,
            config=self.config,
        )
        self._lap("assembler", mark)
        return analysis, outcome

    def run(
        self,
        engine: Engine,
        *,
        pipeline_id: uuid.UUID,
        user_id: str,
        message: str,
        resolved: ResolvedParameters,
        now: datetime,
        relevant_turn_ids: Collection[str] | None,
        directive: str | None = None,
        tone: str | None = None,
    ) -> TurnOutcome:
        """Run analyzer, assembler and responder for one message (`directive`, `tone`: see
        respond)."""
        self.relevant_turn_ids, self.now = relevant_turn_ids, now
        params = resolved.params
        with session_scope(engine) as session:
            analysis, retrieval = self.retrieve(session, user_id, message, params, now)
            prompt = load_prompt(session, str(params["responder.system_prompt_version"]))
        mark = time.perf_counter()
        context = assemble_context(
            retrieval.candidates, max_tokens=int(params["context.max_tokens"])
        )
        self.latency_ms["assembler"] += (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        if self.responder is None:
            raise TypeError("a turn that answers needs the responder's model")
        # The model call happens outside any database transaction.
        response = respond(
            question=message,
            context=context.text,
            lines=context.lines,
            params=params,
            model=self.responder,
            directive=directive,
            prompt=prompt,
            tone=tone,
        )
        self._lap("responder", mark)
        self.outcome = TurnOutcome(analysis, retrieval, context, response, self.latency_ms)
        return self.outcome

    def _base(
        self,
        pipeline_id: uuid.UUID,
        user_id: str,
        message: str,
        resolved: ResolvedParameters,
        cycle_type: str,
        episode_id: str | None,
    ) -> TurnTelemetry:
        self.latency_ms["e2e"] = (time.perf_counter() - self.started) * 1000
        return TurnTelemetry(
            pipeline_id=pipeline_id,
            user_id=user_id,
            parameter_version_id=resolved.version_id,
            experiment_id=resolved.experiment_id,
            variant=resolved.variant,
            cycle_type=cycle_type,
            episode_id=episode_id,
            query=message,
            answer=None,
            status="ok",
            error_type=None,
            isolation_ok=None,
        )

    def telemetry(
        self,
        pipeline_id: uuid.UUID,
        user_id: str,
        message: str,
        resolved: ResolvedParameters,
        cycle_type: str,
        episode_id: str | None,
    ) -> TurnTelemetry:
        """Return the telemetry of a completed turn: the run and its four stage events."""
        turn = self._base(pipeline_id, user_id, message, resolved, cycle_type, episode_id)
        out = self.outcome
        assert out is not None and self.now is not None
        in_context = out.in_context
        hit_rate, relevant = hit(out.retrieval.candidates, len(in_context), self.relevant_turn_ids)
        response = out.response
        offline = response.model in ("offline", "none")
        shared: dict[str, Any] = {
            "memories_found": out.retrieval.found,
            "memories_used": len(in_context),
            "hit_rate": hit_rate,
            "retrieval_relevant": relevant,
            "avg_memory_age_days": avg_age_days(in_context, self.now),
            "tag_overlap_score": tag_overlap(out.analysis.keywords, in_context),
        }
        answer_side: dict[str, Any] = {
            "prompt_tokens": response.prompt_tokens,
            "completion_tokens": response.completion_tokens,
            "total_cost_usd": response.cost_usd,
            "retry_count": response.retries,
            "context_utilized": bool(response.used),
            # Offline answers quote the context verbatim; an LLM's need a judge.
            "hallucination_detected": False if offline or response.abstained else None,
        }
        turn.answer = response.answer
        turn.isolation_ok = out.retrieval.isolation_ok
        turn.events = [
            StageEvent("analyzer", self.latency_ms.get("analyzer", 0.0)),
            StageEvent("assembler", self.latency_ms.get("assembler", 0.0), **shared),
            StageEvent(
                "responder",
                self.latency_ms.get("responder", 0.0),
                memories_found=len(in_context),
                memories_used=len(response.used),
                **answer_side,
            ),
            StageEvent("e2e", self.latency_ms["e2e"], **shared, **answer_side),
        ]
        return turn

    def failed(
        self,
        pipeline_id: uuid.UUID,
        user_id: str,
        message: str,
        resolved: ResolvedParameters,
        cycle_type: str,
        episode_id: str | None,
        error: SelflearnError,
    ) -> TurnTelemetry:
        """Return the telemetry of a turn that failed: the stages reached, then the error."""
        turn = self._base(pipeline_id, user_id, message, resolved, cycle_type, episode_id)
        turn.status, turn.error_type = "error", error.code
        stages = [s for s in ("analyzer", "assembler", "responder") if s in self.latency_ms]
        failing = next(
            (s for s in ("analyzer", "assembler", "responder") if s not in self.latency_ms),
            "e2e",
        )
        # A provider error says how often it was retried before it gave up.
        retries: int | None = getattr(error, "retries", None)
        turn.events = [StageEvent(s, self.latency_ms[s]) for s in stages]
        if failing != "e2e":
            turn.events.append(StageEvent(failing, 0.0, error_type=error.code, retry_count=retries))
        turn.events.append(
            StageEvent("e2e", self.latency_ms["e2e"], error_type=error.code, retry_count=retries)
        )
        return turn

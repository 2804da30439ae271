"""Store an episode's outcome: the episode row, per-probe scores, and telemetry judge columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Engine, delete, func, update
from sqlalchemy.orm import Session

from selflearn.maas import StudentClient
from selflearn.simulator._paraphrase import Paraphraser
from selflearn.simulator.episode import EpisodeResult, EpisodeSpec, ScoredProbe, run_episode
from selflearn.store import session_scope
from selflearn.store.models import Episode, PipelineRun, ProbeResult, TelemetryEvent

#: A second opinion on some of an episode's probes: probe index -> (label, score). The
#: caller picks which probes (a seeded sample) and which judge; the metrics stay the truth.
EpisodeJudge = Callable[[EpisodeSpec, Sequence[ScoredProbe]], Mapping[int, tuple[str, float]]]


def clear_episode(episode_id: str, *, session: Session) -> None:
    """Forget every trace of an episode (before it is run again after an interruption)."""
    session.execute(delete(Episode).where(Episode.id == episode_id))
    session.execute(delete(PipelineRun).where(PipelineRun.episode_id == episode_id))


def record_episode(
    result: EpisodeResult,
    *,
    session: Session,
    verdicts: Mapping[int, tuple[str, float]] | None = None,
) -> Episode:
    """Replace any earlier record of this episode with its completed outcome.

    `verdicts` are the judge's labels and scores of some probes, stored beside the metrics.
    """
    verdicts = verdicts or {}
    spec = result.spec
    session.execute(delete(Episode).where(Episode.id == spec.episode_id))
    episode = Episode(
        id=spec.episode_id,
        campaign_id=spec.campaign_id,
        experiment_id=spec.experiment_id,
        variant=spec.variant,
        scenario_id=spec.scenario.id,
        seed=spec.seed,
        look=spec.look,
        cycle_type=spec.cycle_type,
        status="completed",
        turns=result.turns,
        finished_at=func.now(),
        metrics={
            **result.metrics.model_dump(mode="json"),
            "dialogue_digest": result.dialogue_digest,
            "errors": len(result.errors),
            "paraphrase_fallbacks": result.paraphrase_fallbacks,
            "judged": len(verdicts),
        },
    )
    session.add(episode)
    session.flush()
    for index, item in enumerate(result.probes):
        score = item.score
        label, judged = verdicts.get(index, (None, None))
        session.add(
            ProbeResult(
                episode_id=spec.episode_id,
                pipeline_id=item.pipeline_run_id,
                experiment_id=spec.experiment_id,
                variant=spec.variant,
                scenario_id=spec.scenario.id,
                probe_id=item.probe.probe_id,
                kind=item.probe.kind,
                unanswerable=score.unanswerable,
                precision=score.precision,
                recall=score.recall,
                hit=score.hit,
                context_precision=score.context_precision,
                answer_correct=score.correct,
                answer_f1=score.answer_f1,
                hallucination=score.hallucinated,
                abstention=score.abstained,
                context_utilisation=score.context_utilisation,
                latency_ms=score.latency_ms,
                tokens=score.prompt_tokens + score.completion_tokens,
                cost_usd=score.cost_usd,
                error=score.error is not None,
                judge_label=label,
                judge_score=judged,
            )
        )
        if item.pipeline_run_id is not None:
            # The deterministic judgement fills the judge columns of the turn's e2e event.
            session.execute(
                update(TelemetryEvent)
                .where(
                    TelemetryEvent.pipeline_id == item.pipeline_run_id,
                    TelemetryEvent.stage == "e2e",
                )
                .values(
                    retrieval_relevant=score.hit,
                    context_utilized=bool(score.context_utilisation),
                    hallucination_detected=score.hallucinated,
                )
            )
    session.flush()
    return episode


def drop_episode_memories(spec: EpisodeSpec, client: StudentClient) -> int:
    """Delete the memories of every simulated user of an episode; return how many."""
    return sum(
        client.delete_memories(spec.student_user(user.id)) for user in spec.scenario.participants()
    )


def play_and_record(
    spec: EpisodeSpec,
    client: StudentClient,
    engine: Engine,
    *,
    paraphraser: Paraphraser | None = None,
    judge: EpisodeJudge | None = None,
    keep_memories: bool = False,
) -> EpisodeResult:
    """Play an episode from a clean slate and record it; rerunning it replaces it.

    Its simulated users' memories are dropped once it is recorded, or when it fails (a
    rerun starts from nothing anyway), unless `keep_memories` asks to keep them for a look.
    A stop asked by a signal (KeyboardInterrupt) leaves them to retention: the interrupted
    statement's transaction may still hold their rows, and waiting for it would keep the
    process from stopping.
    """
    flush = getattr(client, "flush", None)
    if callable(flush):
        # Telemetry still buffered from an earlier, interrupted try of this episode must
        # land before the slate is cleaned, or it would be written after it and count twice.
        flush()
    with session_scope(engine) as session:
        clear_episode(spec.episode_id, session=session)
    try:
        result = run_episode(spec, client, paraphraser=paraphraser)
        verdicts = judge(spec, result.probes) if judge is not None else None
        if callable(flush):
            flush()  # the turns' telemetry must be written before the scores point at it
        with session_scope(engine) as session:
            record_episode(result, session=session, verdicts=verdicts)
    except Exception:
        if not keep_memories:
            drop_episode_memories(spec, client)
        raise
    if not keep_memories:
        drop_episode_memories(spec, client)
    return result

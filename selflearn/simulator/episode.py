"""Run one episode: the emulator plays a scenario against the Student and scores each probe.

An episode is (scenario, seed, parameter version or experiment arm). Its id is derived from
those, so replaying it gives the same dialogue, and a campaign resumed after a crash replaces
an unfinished episode instead of counting it twice.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from selflearn.errors import ProviderError
from selflearn.maas import StudentClient, StudentReply
from selflearn.simulator._aggregate import EpisodeMetrics, aggregate_scores
from selflearn.simulator._golden import GoldenProbe, golden_probes
from selflearn.simulator._paraphrase import Paraphraser
from selflearn.simulator._scenario import Scenario
from selflearn.simulator.dialogue import DialogueEvent, generate_dialogue, provenance_map
from selflearn.simulator.metrics import (
    MetricSettings,
    ProbeOutcome,
    ProbeScore,
    RetrievedItem,
    score_probe,
)
from selflearn.store import simulated_user


@dataclass(frozen=True)
class EpisodeSpec:
    """What to run: a scenario with a seed, on an arm of an experiment or a version."""

    scenario: Scenario
    seed: int
    campaign_id: str | None = None
    experiment_id: str | None = None
    variant: str | None = None
    version_id: uuid.UUID | str | None = None
    cycle_type: str = "macro"
    look: int | None = None

    @property
    def episode_id(self) -> str:
        """Return the deterministic id of this episode (the campaign id appears once)."""
        arm = self.variant or (str(self.version_id) if self.version_id else "active")
        campaign = self.campaign_id or "adhoc"
        experiment = self.experiment_id or "-"
        # A campaign names its experiments inside it ("c-1/e02_..."): say "c-1" once.
        experiment = experiment.removeprefix(f"{campaign}/") or "-"
        parts = [campaign, experiment, arm, self.scenario.id]
        return "/".join(parts) + f"/s{self.seed}"

    def student_user(self, scenario_user: str) -> str:
        """Return the Student user id of one scenario user: a fresh, marked space per episode.

        The `sim:` mark keeps simulated memories apart from real users' (see
        `selflearn.store.simulated_user`).
        """
        return simulated_user(self.episode_id, scenario_user)


@dataclass(frozen=True)
class ScoredProbe:
    """One probe of an episode with its score and the Student turn that answered it."""

    probe: GoldenProbe
    score: ProbeScore
    pipeline_run_id: uuid.UUID | None
    answer: str = ""
    context: tuple[str, ...] = ()


@dataclass
class EpisodeResult:
    """Everything one episode produced."""

    spec: EpisodeSpec
    turns: int
    probes: list[ScoredProbe]
    metrics: EpisodeMetrics
    dialogue_digest: str
    elapsed_s: float
    errors: list[str] = field(default_factory=list)
    #: Turns whose LLM paraphrase failed or lost a planted value: the template was used.
    paraphrase_fallbacks: int = 0

    @property
    def episode_id(self) -> str:
        """Return the episode's deterministic id."""
        return self.spec.episode_id


def _item_text(item: Any) -> str:
    # What the Student retrieved includes who said it and when, not only the words.
    when = getattr(item, "occurred_at", None)
    who = getattr(item, "speaker", None)
    head = ", ".join(p for p in (who, f"{when:%-d %B %Y}" if when else None) if p)
    return f"{head}: {item.text}" if head else str(item.text)


def _outcome(event: DialogueEvent, reply: StudentReply | None, error: str | None) -> ProbeOutcome:
    if reply is None:
        return ProbeOutcome(question=event.text, error=error or "no reply")
    retrieved = [
        RetrievedItem(
            id=str(item.id),
            text=_item_text(item),
            provenance=list(item.source_turn_ids),
            score=item.score,
        )
        for item in reply.retrieved
        if getattr(item, "in_context", True)
    ]
    stages = {k: v for k, v in reply.latency_ms.items() if k != "e2e"}
    return ProbeOutcome(
        question=event.text,
        answer=reply.answer,
        retrieved=retrieved,
        latency_ms=reply.latency_ms.get("e2e"),
        stage_latency_ms=stages,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        cost_usd=reply.cost_usd,
    )


def _relevant_turns(
    event: DialogueEvent, truths: dict[str, GoldenProbe], turns_of: dict[str, list[str]]
) -> list[str] | None:
    # Ground truth for the Student's recorded hit rate: the turns that revealed the facts.
    if event.kind != "probe" or event.probe_id not in truths:
        return None
    truth = truths[event.probe_id].truth
    return [turn for fact in truth.expected_ids for turn in turns_of.get(fact, [])]


def dialogue_digest(events: list[DialogueEvent]) -> str:
    """Return a short hash of the dialogue's text, to prove a replay is identical."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(f"{event.turn_id}|{event.user_id}|{event.text}\n".encode())
    return digest.hexdigest()[:16]


def run_episode(
    spec: EpisodeSpec,
    client: StudentClient,
    *,
    paraphraser: Paraphraser | None = None,
    metric_settings: MetricSettings | None = None,
    on_turn: Callable[[int, int], None] | None = None,
) -> EpisodeResult:
    """Play the scenario turn by turn through `client` and score every probe."""
    started = time.perf_counter()
    events = generate_dialogue(spec.scenario, spec.seed, paraphraser=paraphraser)
    id_map = provenance_map(events)
    turns_of: dict[str, list[str]] = {}
    for turn, facts in id_map.items():
        for fact in facts:
            turns_of.setdefault(fact, []).append(turn)
    truths = {g.probe_id: g for g in golden_probes(spec.scenario)}
    for user in {event.user_id for event in events}:
        client.delete_memories(spec.student_user(user))  # a rerun starts from nothing
    scored: list[ScoredProbe] = []
    errors: list[str] = []
    for index, event in enumerate(events):
        reply: StudentReply | None = None
        error: str | None = None
        try:
            reply = client.chat_turn(
                spec.student_user(event.user_id),
                event.text,
                version_id=spec.version_id,
                experiment_id=spec.experiment_id,
                variant=spec.variant,
                cycle_type=spec.cycle_type,
                episode_id=spec.episode_id,
                now=event.at,
                speaker=event.speaker,
                relevant_turn_ids=_relevant_turns(event, truths, turns_of),
                turn_id=event.turn_id,
            )
        except ProviderError:
            # Its model failed after every retry: not the Student's quality but an outage.
            # The episode stops unrecorded, and whoever plays it pauses or reports that.
            raise
        except Exception as exc:  # the Student failing is data for the metrics, not a crash
            error = f"{type(exc).__name__}: {exc}"
            errors.append(error)
        if event.kind == "probe" and event.probe_id in truths:
            golden = truths[event.probe_id]
            outcome = _outcome(event, reply, error)
            score = score_probe(outcome, golden.truth, id_map=id_map, settings=metric_settings)
            run_id = reply.pipeline_run_id if reply is not None else None
            if reply is not None and score.passed and reply.used_memory_ids:
                # The user knows their own facts: a right answer gets a thumbs-up, which
                # credits the memories it used (their quality score reads it).
                client.record_feedback(
                    spec.student_user(event.user_id), list(reply.used_memory_ids), helpful=True
                )
            scored.append(
                ScoredProbe(
                    probe=golden,
                    score=score,
                    pipeline_run_id=run_id,
                    answer=outcome.answer,
                    context=tuple(item.text for item in outcome.retrieved),
                )
            )
        if on_turn is not None:
            on_turn(index + 1, len(events))
    return EpisodeResult(
        spec=spec,
        turns=len(events),
        probes=scored,
        metrics=aggregate_scores([s.score for s in scored]),
        dialogue_digest=dialogue_digest(events),
        elapsed_s=time.perf_counter() - started,
        errors=errors,
        paraphrase_fallbacks=sum(e.paraphrase == "fallback" for e in events),
    )

"""Shared builders for the Teacher tests: a goal, a plan, and episodes written as rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from selflearn.agents.teacher import ExperimentGoal, ExperimentPlan, Hypothesis, plan_experiment
from selflearn.space import default_params
from selflearn.store.models import Episode, ProbeResult
from selflearn.tuner import prepare_experiment

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ALLOWED = ("retrieval.min_relevance", "retrieval.top_k", "responder.system_prompt_version")


def make_goal(**changes: Any) -> ExperimentGoal:
    """Return the goal of most tests: fewer hallucinations, abstention within 5 points."""
    fields: dict[str, Any] = {
        "primary": ["hallucination_rate"],
        "guardrails": {"abstention_rate": 0.05},
        "allowed_factors": ALLOWED,
    }
    fields.update(changes)
    return ExperimentGoal(**fields)


def min_relevance_plan(index: int = 3, *, value: float = 0.25, **goal: Any) -> ExperimentPlan:
    """Return the plan of ``retrieval.min_relevance`` 0.0 against ``value``."""
    hypothesis = Hypothesis(
        source="search",
        variants={"variant": {"retrieval.min_relevance": value}},
        rationale="dropping weak memories should remove unsupported claims",
    )
    return plan_experiment(
        hypothesis, make_goal(**goal), active=default_params(), experiment_index=index
    )


def prepare(session, plan: ExperimentPlan) -> None:
    """Create the experiment and its versions through the Tuner, as a campaign would."""
    prepare_experiment(plan.prepare, session=session, now=T0)


def probe_row(**values: Any) -> dict[str, Any]:
    """Return one probe's scores with neutral defaults."""
    row: dict[str, Any] = {
        "kind": "fact",
        "unanswerable": False,
        "precision": 0.8,
        "recall": 1.0,
        "hit": True,
        "context_precision": 0.9,
        "answer_correct": True,
        "answer_f1": 0.9,
        "hallucination": False,
        "abstention": False,
        "context_utilisation": 1.0,
        "latency_ms": 100.0,
        "tokens": 200,
        "cost_usd": 0.001,
        "error": False,
    }
    row.update(values)
    return row


def add_episode(
    session,
    plan: ExperimentPlan,
    arm: str,
    scenario: str,
    seed: int,
    probes: list[dict[str, Any]],
    *,
    status: str = "completed",
    finished: datetime | None = None,
    run: int = 1,
) -> Episode:
    """Write one episode of ``arm`` and its probe rows."""
    episode = Episode(
        id=f"{plan.experiment_id}:{arm}:{scenario}:{seed}:r{run}",
        experiment_id=plan.experiment_id,
        variant=arm,
        scenario_id=scenario,
        seed=seed,
        cycle_type="macro",
        status=status,
        turns=10,
        metrics={},
        started_at=T0,
        finished_at=finished if status == "completed" else None,
    )
    session.add(episode)
    session.flush()
    for number, values in enumerate(probes):
        session.add(
            ProbeResult(
                episode_id=episode.id,
                experiment_id=plan.experiment_id,
                variant=arm,
                scenario_id=scenario,
                probe_id=f"p{number}",
                **values,
            )
        )
    session.flush()
    return episode


def add_pairs(
    session,
    plan: ExperimentPlan,
    *,
    pairs: int,
    hallucination: dict[str, float],
    probes: int = 6,
    seed: int = 0,
    start: int = 0,
) -> None:
    """Write ``pairs`` paired episodes; each arm hallucinates with its own probability.

    Abstention is the same in every arm (the first probe of every third episode), so the
    guardrail sees no difference at all.
    """
    rng = np.random.default_rng(seed)
    for i in range(start, start + pairs):
        for offset, arm in enumerate(plan.arms):
            rows = [
                probe_row(
                    hallucination=bool(rng.random() < hallucination[arm]),
                    abstention=(k == 0 and i % 3 == 0),
                    answer_correct=not (k == 0 and i % 3 == 0),
                )
                for k in range(probes)
            ]
            finished = T0 + timedelta(minutes=2 * i + offset)
            add_episode(session, plan, arm, f"scn{i % 7}", 1000 + i, rows, finished=finished)

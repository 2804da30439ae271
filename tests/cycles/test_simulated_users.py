"""Maintenance leaves simulated (`sim:`) users alone: their memories belong to an episode."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, text

from selflearn.cycles import CycleOptions, run_cycle
from selflearn.store import session_scope, simulated_user
from selflearn.store.models import (
    Episode,
    Memory,
    MicrographTurn,
    PipelineRun,
    ProbeResult,
    TopicTransition,
)
from tests.factories import make_student

STALE = "[" + ",".join(["0.05"] * 384) + "]"
TEXTS = [
    "I am allergic to peanuts.",
    "I am allergic to peanuts!",  # a near duplicate of the first
    "I once mentioned the weather was grey.",  # never used: to be flagged
    "Yesterday the neighbourhood association organised a wonderful celebration.",
]


@pytest.fixture(scope="module")
def service(database, settings):
    with make_student(settings, database) as svc:
        yield svc


@pytest.fixture
def engine(database):
    with database.engine.begin() as conn:
        conn.execute(text("TRUNCATE learning_journal, memories, pipeline_runs CASCADE"))
    return database.engine


def _seed(engine, service, user: str, now: datetime) -> None:
    """Store the same four memories: old, stale vectors, never used, no fresh tags."""
    service.add_memories(user, TEXTS, merge_duplicates=False)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE memories SET embedding = :v, times_retrieved = 10, times_used = 0, "
                "created_at = :c, tags = '{}' WHERE user_id = :u"
            ),
            {"v": STALE, "c": now - timedelta(days=40), "u": user},
        )


def _state(engine, user: str) -> list[tuple[str, list[str], bool, float | None, bool]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Memory).where(Memory.user_id == user).order_by(Memory.text))
        return [
            (
                m.text,
                list(m.tags),
                m.flagged,
                m.quality_score,
                bool(np.allclose(np.asarray(m.embedding), 0.05)),
            )
            for m in rows
        ]


def test_the_deep_cycle_reembeds_merges_retags_and_scores_real_users_only(engine, service):
    now = datetime.now(UTC)
    real = f"u-{uuid.uuid4().hex[:8]}"
    sim = simulated_user(f"c-{uuid.uuid4().hex[:6]}/e01_x/baseline/chat/s1", "user")
    _seed(engine, service, real, now)
    _seed(engine, service, sim, now)
    before = _state(engine, sim)

    report = run_cycle("deep", database=engine, student=service, now=now)

    memory = report.memory
    assert memory is not None
    assert memory.reembedded == 4 and memory.merged == 1 and memory.users == 1
    assert memory.scored == 3 and memory.flagged == 3  # the real user's three, none else
    real_after = _state(engine, real)
    assert len(real_after) == 3 and not any(stale for *_, stale in real_after)
    assert all(tags and flagged and score == 0.0 for _, tags, flagged, score, _ in real_after)
    assert _state(engine, sim) == before  # not merged, re-embedded, re-tagged nor scored


def test_consolidation_of_recently_changed_users_skips_simulated_ones(engine, service):
    from selflearn.cycles._consolidate import consolidate

    now = datetime.now(UTC)
    real = f"u-{uuid.uuid4().hex[:8]}"
    sim = simulated_user("macro-20310506T120000Z/-/active/chat/s1", "user")
    for user in (real, sim):
        service.add_memories(user, TEXTS[:2], merge_duplicates=False)
    done = consolidate(
        engine, now=now, cosine=0.95, max_user_memories=100, changed_since=now - timedelta(hours=1)
    )
    assert (done.users, done.merged) == (1, 1)
    assert len(service.list_memories(real)) == 1 and len(service.list_memories(sim)) == 2


def _cycle_episode(engine, episode_id: str, at: datetime) -> None:
    """Record one cycle episode (no campaign row) with one probe and one Student turn."""
    with session_scope(engine) as session:
        session.add(
            Episode(
                id=episode_id,
                campaign_id=episode_id.split("/", 1)[0],
                scenario_id="chat",
                seed=1,
                status="completed",
                started_at=at,
                finished_at=at,
            )
        )
        run = PipelineRun(
            user_id=simulated_user(episode_id, "user"),
            cycle_type="macro",
            episode_id=episode_id,
            created_at=at,
        )
        session.add(run)
        session.flush()
        session.add(
            ProbeResult(
                episode_id=episode_id, pipeline_id=run.id, scenario_id="chat", probe_id="p1"
            )
        )
        user = simulated_user(episode_id, "user")
        session.add(
            MicrographTurn(
                episode_id=episode_id, user_id=user, agent_intent="explore", created_at=at
            )
        )
        session.add(
            TopicTransition(
                user_id=user,
                source_embedding=[0.1] * 384,
                target_embedding=[0.2] * 384,
                transition_type="bridge",
                agent_intent="explore",
                created_at=at,
            )
        )


def test_the_deep_cycle_applies_retention_to_old_cycle_episodes(engine, service):
    now = datetime.now(UTC)
    old = "macro-20310406T120000Z/-/active/chat/s1"
    recent = "macro-20310505T120000Z/-/active/chat/s1"
    with engine.begin() as conn:
        conn.execute(
            text("TRUNCATE episodes, probe_results, micrograph_turns, topic_transitions CASCADE")
        )
    _cycle_episode(engine, old, now - timedelta(days=31))
    _cycle_episode(engine, recent, now - timedelta(days=2))
    report = run_cycle(
        "deep", database=engine, student=service, now=now, options=CycleOptions(retention_days=30)
    )
    assert report.memory is not None and report.memory.retention is not None
    assert report.memory.retention["episodes"] == 1
    assert report.memory.retention["pipeline_runs"] == 1
    assert report.memory.retention["learner_rows"] == 2  # the old user's turn and transition
    with session_scope(engine) as session:
        assert list(session.scalars(select(Episode.id))) == [recent]
        turns = select(PipelineRun.episode_id).where(PipelineRun.episode_id.is_not(None))
        assert list(session.scalars(turns)) == [recent]  # the cycle's own run has none
        assert session.scalar(select(func.count()).select_from(ProbeResult)) == 1
        assert list(session.scalars(select(MicrographTurn.episode_id))) == [recent]
        assert session.scalar(select(func.count()).select_from(TopicTransition)) == 1
    off = run_cycle(
        "deep", database=engine, student=service, now=now + timedelta(days=40),
        options=CycleOptions(retention_days=None),
    )  # fmt: skip
    assert off.memory is not None and off.memory.retention is None
    with session_scope(engine) as session:
        assert list(session.scalars(select(Episode.id))) == [recent]

"""An episode's simulated users are marked `sim:` and their memories dropped unless kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from selflearn.errors import ProviderError
from selflearn.simulator import load_scenario, play_and_record
from selflearn.simulator.episode import EpisodeSpec
from selflearn.store import is_simulated_user, session_scope, simulated_under
from selflearn.store.models import Episode, Memory

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIOS / "office-team.yaml")  # three users: every one is marked


def _memories_by_user(database, scope: str) -> dict[str, int]:
    with session_scope(database.engine) as session:
        rows = session.execute(
            select(Memory.user_id, func.count())
            .where(simulated_under(Memory.user_id, scope))
            .group_by(Memory.user_id)
        ).all()
    return {user: int(n) for user, n in rows}


def _spec(scenario, seed: int) -> EpisodeSpec:
    """An episode on the active version (an experiment arm would need its experiment)."""
    return EpisodeSpec(scenario=scenario, seed=seed, campaign_id="c-rec")


def test_the_campaign_id_appears_once_and_every_user_is_marked(scenario):
    spec = EpisodeSpec(
        scenario=scenario,
        seed=1,
        campaign_id="c-rec",
        experiment_id="c-rec/e01_top_k",
        variant="baseline",
    )
    assert spec.episode_id == f"c-rec/e01_top_k/baseline/{scenario.id}/s1"
    users = [spec.student_user(u.id) for u in scenario.participants()]
    assert len(users) >= 2 and all(is_simulated_user(u) for u in users)
    assert all(u.startswith(f"sim:{spec.episode_id}/") for u in users)


def test_kept_memories_stay_marked_and_are_dropped_by_default(database, service, scenario):
    kept = _spec(scenario, 2)
    assert not play_and_record(kept, service, database.engine, keep_memories=True).errors
    stored = _memories_by_user(database, kept.episode_id + "/")
    participants = {kept.student_user(u.id) for u in scenario.participants()}
    assert stored and set(stored) <= participants and sum(stored.values()) > 0

    dropped = _spec(scenario, 3)
    result = play_and_record(dropped, service, database.engine)
    assert result.probes and not result.errors  # the episode was played and scored...
    with session_scope(database.engine) as session:
        assert session.get(Episode, dropped.episode_id) is not None  # ...and recorded
    assert _memories_by_user(database, dropped.episode_id + "/") == {}  # but nothing is left
    assert _memories_by_user(database, kept.episode_id + "/") == stored  # the other untouched


class _FailsMidway:
    """The Student whose model gives up after a few turns, as a provider outage does."""

    def __init__(self, inner, turns: int) -> None:
        self.inner, self.turns = inner, turns

    def chat_turn(self, *args, **kwargs):
        self.turns -= 1
        if self.turns < 0:
            raise ProviderError("the model is down", hint="Try again later.")
        return self.inner.chat_turn(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_an_interrupted_episode_leaves_no_memory_behind(database, service, scenario):
    spec = _spec(scenario, 4)
    with pytest.raises(ProviderError):
        play_and_record(spec, _FailsMidway(service, 6), database.engine)
    assert _memories_by_user(database, spec.episode_id + "/") == {}
    with session_scope(database.engine) as session:
        assert session.get(Episode, spec.episode_id) is None

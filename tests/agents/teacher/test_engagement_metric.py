"""Engagement: the one metric aggregated over the episode's user messages, not its probes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from selflearn.agents.manager import parse_goal
from selflearn.agents.metrics import get_metric
from selflearn.agents.teacher.metrics import select_list
from selflearn.graph import parse_goal_text
from selflearn.store import session_scope
from selflearn.store.models import Episode, MicrographTurn, ProbeResult


def _episode(session, episode_id: str, variant: str, tecs: list[float | None]) -> None:
    session.add(
        Episode(
            id=episode_id,
            experiment_id="x",
            variant=variant,
            scenario_id="s",
            seed=1,
            status="completed",
        )
    )
    session.flush()
    for n in range(2):
        session.add(
            ProbeResult(
                episode_id=episode_id,
                scenario_id="s",
                probe_id=f"p{n}",
                recall=0.5,
                experiment_id="x",
                variant=variant,
            )
        )
    for tec in tecs:
        session.add(
            MicrographTurn(
                episode_id=episode_id,
                user_id="u",
                agent_intent="casual_chat",
                tec=tec,
                exhausted=False,
                candidates=0,
                latency_ms=0.0,
            )
        )


def test_engagement_is_the_mean_tec_of_the_episode(database) -> None:
    with session_scope(database.engine) as session:
        _episode(session, "e-on", "variant", [0.2, 0.4, None, 0.6])
        _episode(session, "e-off", "baseline", [])
    by_episode = f"SELECT p.episode_id, {select_list()} FROM probe_results p GROUP BY p.episode_id"
    by_arm = (
        f"SELECT e.variant, {select_list()} FROM episodes e "
        "JOIN probe_results p ON p.episode_id = e.id GROUP BY e.variant, e.scenario_id, e.seed"
    )
    with session_scope(database.engine) as session:
        rows = {r.episode_id: r for r in session.execute(text(by_episode))}
        arms = {r.variant: r for r in session.execute(text(by_arm))}
    assert float(rows["e-on"].engagement) == pytest.approx(0.4)
    assert rows["e-off"].engagement is None  # the micrograph did not run: undefined, not 0
    assert float(rows["e-on"].recall) == 0.5  # four messages do not weigh the probe metrics
    assert float(arms["variant"].engagement) == pytest.approx(0.4)


def test_raise_engagement_without_hurting_recall() -> None:
    parsed = parse_goal("raise engagement without hurting recall")
    assert parsed.primary == [{"metric": "engagement", "direction": "increase"}]
    assert parsed.guardrails[0]["metric"] == "recall" and not parsed.problems
    spec = parse_goal_text("raise engagement without hurting recall")
    assert spec.allowed_factors and all(f.startswith("micrograph.") for f in spec.allowed_factors)
    assert get_metric("engagement").higher_is_better

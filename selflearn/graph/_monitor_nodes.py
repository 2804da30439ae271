"""Monitoring: the version the campaign ends on against the one it started from, on held-out
scenarios it never tuned on; a significant loss on the primary metric rolls it back.

Besides the primary metric, the goal's guardrails and the side effects of answering less
(`SIDE_EFFECTS`) are compared too, each with its interval, and the primary metric is
broken down by scenario, so a gain that comes from one scenario shows as such.
"""

from __future__ import annotations

import math
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from sqlalchemy import text

from selflearn.agents.manager import GoalSpec
from selflearn.agents.metrics import HIGHER_IS_BETTER
from selflearn.agents.teacher.metrics import select_list
from selflearn.agents.teacher.stats import align_pairs, fixed_paired_test
from selflearn.graph._context import CampaignContext
from selflearn.graph._state import CampaignState
from selflearn.simulator import derive_seed
from selflearn.store import session_scope
from selflearn.tuner import active_version, rollback

_EPISODE_MEANS = f"""
SELECT e.variant, e.scenario_id, e.seed,
{select_list()}
FROM episodes AS e JOIN probe_results AS p ON p.episode_id = e.id
WHERE e.experiment_id = :experiment_id AND e.status = 'completed'
GROUP BY e.variant, e.scenario_id, e.seed
ORDER BY e.scenario_id, e.seed, e.variant
"""


def holdout_experiment(campaign_id: str) -> str:
    """Return the label under which a campaign's holdout episodes are recorded."""
    return f"{campaign_id}/holdout"


def plan_holdout(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Monitor: decide which versions to compare on the held-out scenarios."""
    ctx = runtime.context
    with session_scope(ctx.engine) as session:
        active = active_version(session=session)
    after = str(active.id) if active is not None else state["start_version"]
    monitor = {"before": state["start_version"], "after": after}
    episodes = (
        len(state["holdout_scenarios"])
        * state["holdout_seeds"]
        * (1 + (after != monitor["before"]))
    )
    ctx.notify("dispatch", episodes=episodes, look="holdout")
    return {"monitor": monitor, "plan": None}


def holdout_arms(state: CampaignState) -> dict[str, str]:
    """Return the versions the holdout compares (one arm when nothing changed)."""
    monitor = state["monitor"] or {}
    arms = {"before": monitor["before"]}
    if monitor["after"] != monitor["before"]:
        arms["after"] = monitor["after"]
    return arms


def dispatch_holdout(state: CampaignState) -> list[Send]:
    """Fan the holdout episodes out: before and after on the same scenarios and seeds."""
    arms = holdout_arms(state)
    count = state["holdout_seeds"]
    seeds = [derive_seed(state["seed"], "holdout", i) % 1_000_000 for i in range(count)]
    sends = [
        Send(
            "play_episode",
            {
                "scenario_id": scenario_id,
                "seed": seed,
                "experiment_id": holdout_experiment(state["campaign_id"]),
                "variant": arm,
                "version_id": version,
                "cycle_type": "macro",
                "look": 1,
                "campaign_id": state["campaign_id"],
            },
        )
        for scenario_id in state["holdout_scenarios"]
        for seed in seeds
        for arm, version in arms.items()
    ]
    return sends


#: Shown beside the goal's metrics on the holdout: what a lower hallucination rate may cost.
SIDE_EFFECTS = ("answer_correct_rate", "abstention_rate", "false_abstention_rate")


def _means(rows: list[dict[str, Any]], arm: str) -> dict[str, float]:
    values: dict[str, list[float]] = {}
    for row in rows:
        if row["variant"] != arm:
            continue
        for metric in HIGHER_IS_BETTER:
            value = row.get(metric)
            if value is not None and not math.isnan(float(value)):
                values.setdefault(metric, []).append(float(value))
    return {m: sum(v) / len(v) for m, v in values.items() if v}


def _holdout_metrics(goal: GoalSpec) -> dict[str, str]:
    """Return the metrics the holdout compares, with their role: primary first."""
    roles: dict[str, str] = {t.metric: "primary" for t in goal.primary}
    for guard in goal.guardrails:
        roles.setdefault(guard.metric, "guardrail")
    for metric in SIDE_EFFECTS:
        roles.setdefault(metric, "side_effect")
    return {m: role for m, role in roles.items() if m in HIGHER_IS_BETTER}


def _compare(rows: list[dict[str, Any]], metric: str, role: str) -> dict[str, Any]:
    by_arm: dict[str, dict[tuple[str, int], Any]] = {"before": {}, "after": {}}
    for row in rows:
        if row["variant"] in by_arm:
            by_arm[row["variant"]][(row["scenario_id"], row["seed"])] = row.get(metric)
    _, values = align_pairs(by_arm)
    pairs = [
        (b, a)
        for b, a in zip(values["before"], values["after"], strict=True)
        if math.isfinite(b) and math.isfinite(a)
    ]
    test = fixed_paired_test(
        [b for b, _ in pairs], [a for _, a in pairs], higher_is_better=HIGHER_IS_BETTER[metric]
    )
    return {
        "metric": metric,
        "role": role,
        "verdict": test.verdict,
        "effect": test.effect,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "p_value": test.p_value,
        "pairs": test.n,
        "before": _mean([b for b, _ in pairs]),
        "after": _mean([a for _, a in pairs]),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _by_scenario(rows: list[dict[str, Any]], metric: str) -> dict[str, dict[str, float | None]]:
    found: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        value = row.get(metric)
        if value is not None and not math.isnan(float(value)):
            arms = found.setdefault(row["scenario_id"], {})
            arms.setdefault(row["variant"], []).append(float(value))
    return {
        scenario: {arm: _mean(arms.get(arm, [])) for arm in ("before", "after")}
        for scenario, arms in sorted(found.items())
    }


def evaluate_holdout(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Monitor: before/after on the holdout with intervals; roll back a significant loss.

    The holdout is analysed once, on a sample fixed in advance, so it uses the paired
    t-test (`fixed_paired_test`) rather than the sequential test of the experiments.
    """
    ctx = runtime.context
    goal = GoalSpec.model_validate(state["goal"])
    primary = goal.primary[0].metric
    monitor = dict(state["monitor"] or {})
    with session_scope(ctx.engine) as session:
        rows = [
            dict(r._mapping)
            for r in session.execute(
                text(_EPISODE_MEANS), {"experiment_id": holdout_experiment(state["campaign_id"])}
            )
        ]
        before, after = _means(rows, "before"), _means(rows, "after")
        monitor.update(
            metric=primary,
            episodes=len(rows),
            changed=bool(after),
            by_scenario=_by_scenario(rows, primary),
        )
        if after:
            compared = [_compare(rows, m, role) for m, role in _holdout_metrics(goal).items()]
            head = compared[0]
            monitor.update(
                {k: head[k] for k in ("verdict", "effect", "ci_low", "ci_high", "p_value")},
                pairs=head["pairs"],
                method="paired t-test",
                metrics=compared,
            )
            if head["verdict"] == "loser":
                rolled = rollback(
                    session=session,
                    now=ctx.clock(),
                    reason=f"holdout {primary} got worse ({head['effect']:+.3f}) "
                    "after the campaign",
                    initiated_by="monitor",
                )
                monitor["rolled_back_to"] = rolled.version
    final = after or before
    ctx.notify("holdout", **{k: v for k, v in monitor.items() if not isinstance(v, dict | list)})
    return {"monitor": monitor, "baseline_metrics": before, "final_metrics": final}


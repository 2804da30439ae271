"""Monitoring: the version the campaign ends on against the one it started from, on held-out
scenarios it never tuned on; a significant loss on the primary metric rolls it back.

Besides the primary metric, the goal's guardrails and the side effects of answering less
(`SIDE_EFFECTS`) are compared too, each with its interval, and the primary metric is
broken down by scenario, so a gain that comes from one scenario shows as such.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from sqlalchemy import text
from sqlalchemy.orm import Session

from selflearn.agents.manager import GoalSpec
from selflearn.agents.metrics import BY_NAME, HIGHER_IS_BETTER
from selflearn.agents.teacher.metrics import select_list
from selflearn.agents.teacher.stats import align_pairs, fixed_paired_test, scenario_paired_test
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
    higher = HIGHER_IS_BETTER[metric]
    test = scenario_paired_test(by_arm["before"], by_arm["after"], higher_is_better=higher)
    # The rollback rule was fixed with the paired t-test over the same scenario means; it
    # still counts, so the exact test that replaced it cannot loosen the rule.
    classic = scenario_paired_test(
        by_arm["before"], by_arm["after"], higher_is_better=higher, test=fixed_paired_test
    )
    means = _scenario_means(by_arm)
    return {
        "metric": metric,
        "role": role,
        "method": test.method,
        "verdict": test.verdict,
        "t_verdict": classic.verdict,
        "effect": test.effect,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "p_value": test.p_value,
        "pairs": test.n,
        "before": _mean(means["before"]),
        "after": _mean(means["after"]),
    }


def _scenario_means(by_arm: dict[str, dict[tuple[str, int], Any]]) -> dict[str, list[float]]:
    # The means a scenario-level test compares: each scenario's pairs averaged per arm.
    keys, values = align_pairs(by_arm)
    sums: dict[str, dict[str, list[float]]] = {}
    for i, (scenario, _) in enumerate(keys):
        if all(math.isfinite(values[arm][i]) for arm in by_arm):
            for arm in by_arm:
                sums.setdefault(scenario, {}).setdefault(arm, []).append(values[arm][i])
    return {arm: [sum(v[arm]) / len(v[arm]) for v in sums.values()] for arm in by_arm}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _must_not_lose(compared: dict[str, Any]) -> bool:
    # Fixed before any held-out figure is seen: the primary metric, every guardrail that
    # verdicts use, and the share of answerable questions answered right.
    if compared["metric"] == "answer_correct_rate":
        return True
    return compared["role"] in ("primary", "guardrail") and BY_NAME[compared["metric"]].in_verdicts


def _lost(compared: dict[str, Any]) -> bool:
    # A significant loss by the permutation test or by the t-test the rule was fixed with.
    return "loser" in (compared["verdict"], compared.get("t_verdict"))


def _loss_label(compared: dict[str, Any]) -> str:
    tests = [
        name
        for name, verdict in (
            ("permutation test", compared["verdict"]),
            ("t-test", compared.get("t_verdict")),
        )
        if verdict == "loser"
    ]
    return f"{compared['metric']} ({' and '.join(tests)})"


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


def roll_back_to_start(
    session: Session, *, start_version: str, worse: list[dict[str, Any]], now: datetime
) -> int:
    """Activate the version the campaign started from; return its number.

    Not the active version's parent: a campaign that applied two winners would otherwise
    keep the first of them, a change the held-out comparison (start against end) condemned.
    """
    rolled = rollback(
        session=session,
        now=now,
        reason="holdout got worse after the campaign: "
        + ", ".join(f"{m['metric']} {m['effect']:+.3f}" for m in worse),
        initiated_by="monitor",
        to_version=start_version,
    )
    return rolled.version


def evaluate_holdout(state: CampaignState, runtime: Runtime[CampaignContext]) -> dict[str, Any]:
    """Monitor: before/after on the holdout with intervals; roll back a significant loss.

    The holdout is analysed once, on a sample fixed in advance, so it uses a fixed-sample
    test rather than the sequential test of the experiments, with the scenarios as the unit
    (`scenario_paired_test`, the sign-flip permutation test): a significant loss on the
    primary metric, a guardrail or the answer-correct rate rolls the campaign's change back.
    The rule was fixed with the paired t-test, so a loss that either test finds counts.
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
                method=head["method"],
                metrics=compared,
            )
            worse = [m for m in compared if _must_not_lose(m) and _lost(m)]
            if worse:
                monitor["rolled_back_for"] = [_loss_label(m) for m in worse]
                monitor["rolled_back_to"] = roll_back_to_start(
                    session, start_version=monitor["before"], worse=worse, now=ctx.clock()
                )
    final = after or before
    ctx.notify("holdout", **{k: v for k, v in monitor.items() if not isinstance(v, dict | list)})
    return {"monitor": monitor, "baseline_metrics": before, "final_metrics": final}

"""Benchmark: campaign throughput, and what the graph adds over running the same episodes.

1. A campaign (offline, embedded PostgreSQL, PostgresSaver checkpoints): episodes/s,
   turns/s, super-steps.
2. The same number of episodes played directly (`simulate`), no graph.
3. Bare LangGraph overhead per super-step: a three-node graph without and with the
   PostgresSaver on the same database.

Usage: python benchmarks/campaign_throughput.py [--budget 40]
"""

from __future__ import annotations

import argparse
import operator
import time
from pathlib import Path
from typing import Annotated

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

from selflearn.bootstrap import open_components
from selflearn.graph import CampaignOptions, open_checkpointer
from selflearn.simulator import load_scenarios
from selflearn.simulator.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


class Counter(TypedDict):
    n: Annotated[int, operator.add]


def _bare_graph():
    graph = StateGraph(Counter)
    for name in ("a", "b", "c"):
        graph.add_node(name, lambda state: {"n": 1})
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    graph.add_edge("c", END)
    return graph


def per_step_ms(database, runs: int = 200) -> tuple[float, float]:
    plain = _bare_graph().compile()
    started = time.perf_counter()
    for _ in range(runs):
        plain.invoke({"n": 0})
    bare = (time.perf_counter() - started) / (runs * 3) * 1000
    with open_checkpointer(database) as saver:
        saved = _bare_graph().compile(checkpointer=saver)
        started = time.perf_counter()
        for i in range(runs):
            saved.invoke({"n": 0}, {"configurable": {"thread_id": f"bench-{time.time()}-{i}"}})
        checkpointed = (time.perf_counter() - started) / (runs * 3) * 1000
    return bare, checkpointed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=40)
    args = parser.parse_args()
    components = open_components()
    database = components.database
    steps = 0
    episodes = 0

    def progress(event: str, data: dict) -> None:
        nonlocal steps, episodes
        steps += event == "step"
        episodes += event == "episode"

    service = components.student(telemetry_flush_every=64)
    runner = components.campaign_runner(progress=progress, student=service)
    started = time.perf_counter()
    outcome = runner.start(CampaignOptions(budget=args.budget, seed=11))
    campaign_s = time.perf_counter() - started
    scenarios = load_scenarios([ROOT / "scenarios"])
    train = [s for s in scenarios if s.split == "train"]
    rounds = max(1, round(episodes / len(train)))
    started = time.perf_counter()
    direct_turns = 0
    for r in range(rounds):
        direct_turns += simulate(train, client=service, engine=database.engine, seed=100 + r).turns
    direct_s = time.perf_counter() - started
    direct_eps = rounds * len(train)
    bare, checkpointed = per_step_ms(database)
    print(
        f"campaign {outcome.campaign_id}: {outcome.status}, {episodes} episodes, "
        f"{steps} super-steps in {campaign_s:.1f} s ({episodes / campaign_s:.2f} episodes/s)"
    )
    print(
        f"direct: {direct_eps} episodes ({direct_turns} turns) in {direct_s:.1f} s "
        f"({direct_eps / direct_s:.2f} episodes/s)"
    )
    per_episode_graph = campaign_s / episodes
    per_episode_direct = direct_s / direct_eps
    print(
        f"per episode: campaign {per_episode_graph * 1000:.0f} ms, direct "
        f"{per_episode_direct * 1000:.0f} ms (campaign also evaluates, designs and runs the "
        "holdout)"
    )
    print(
        f"LangGraph per super-step: {bare:.2f} ms bare, {checkpointed:.2f} ms with "
        f"PostgresSaver; campaign super-steps x that = "
        f"{steps * checkpointed / 1000:.2f} s of {campaign_s:.1f} s"
    )


if __name__ == "__main__":
    main()

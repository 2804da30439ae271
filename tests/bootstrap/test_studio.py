"""The Studio entry of `langgraph.json`: its graph compiles and runs on the offline defaults."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]


def _entry():
    module_name, attribute = json.loads((ROOT / "langgraph.json").read_text())["graphs"][
        "campaign"
    ].split(":")
    return importlib.import_module(module_name), attribute


def test_importing_the_entry_opens_no_database():
    module, attribute = _entry()
    assert attribute == "graph"
    assert module._studio_graph.cache_info().currsize == 0


def test_the_studio_graph_runs_a_campaign_from_a_bare_input(settings, database):
    module, attribute = _entry()
    module._studio_graph.cache_clear()
    try:
        graph = getattr(module, attribute)  # built from the environment, as langgraph dev does
        final = graph.invoke(
            {"goal_text": "cut hallucinations below 5 % without losing recall", "budget": 4,
             "holdout_seeds": 1},
            {"recursion_limit": 200},
        )  # fmt: skip
    finally:
        module._studio_graph.cache_clear()
    assert final["campaign_id"].startswith("c-")
    assert final["report"] is not None
    assert len(final["holdout_scenarios"]) > 0
    with database.engine.connect() as conn:
        episodes = conn.execute(
            text("SELECT count(*) FROM episodes WHERE campaign_id = :c AND status = 'completed'"),
            {"c": final["campaign_id"]},
        ).scalar_one()
        stored = conn.execute(
            text("SELECT status, report IS NOT NULL FROM campaigns WHERE id = :c"),
            {"c": final["campaign_id"]},
        ).one()
    assert episodes == len(set(final["episodes_done"])) > 0
    assert stored == ("completed", True)

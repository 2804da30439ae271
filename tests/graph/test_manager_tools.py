"""The Manager driving the real tools: goal, campaign, status, explain, report, approvals."""

from __future__ import annotations

from campaign_fixtures import runner, small_scenarios

from selflearn.agents.manager import Manager
from selflearn.graph import CampaignOptions, GraphTools


def test_owner_sets_a_goal_runs_a_campaign_and_reads_the_report(settings, database, tmp_path):
    folder = small_scenarios(tmp_path)
    tools = GraphTools(
        database,
        runner(settings, database),
        default_options=CampaignOptions(
            scenarios=(str(folder),), budget=4, holdout_seeds=1, holdout_scenarios=0
        ),
    )
    manager = Manager(tools, engine=database.engine, conversation_id="tools-1")
    asked = manager.handle("cut hallucinations below 5 % without losing recall")
    assert "Shall I" in asked.text or asked.data.get("awaiting")
    saved = manager.handle("yes")
    assert "goal" in saved.text.lower()
    ran = manager.handle("run a campaign with budget 4")
    assert "finished" in ran.text
    status = manager.handle("status")
    assert "Active parameter version" in status.text
    report = manager.handle("report")
    assert "What was tested" in report.text
    explained = manager.handle("explain the active version")
    assert "initial defaults" in explained.text
    refused = manager.handle("approve 999")
    assert "999" in refused.text
    assert tools.list_proposals() == []

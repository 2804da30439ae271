"""The LangGraph campaign graph wiring Manager, Teacher, Tuner, Emulator and Student."""

from selflearn.graph._builder import build_campaign_graph
from selflearn.graph._checkpoint import open_checkpointer
from selflearn.graph._context import CampaignContext
from selflearn.graph._goal import DEFAULT_GOAL, experiment_goal, parse_goal_text
from selflearn.graph._manager_tools import GraphTools
from selflearn.graph._opening import (
    campaign_scenarios,
    new_campaign,
    open_campaign,
    split_scenarios,
)
from selflearn.graph._options import (
    DEFAULT_BUDGET,
    DEFAULT_HOLDOUT_SCENARIOS,
    DEFAULT_HOLDOUT_SEEDS,
    DEFAULT_SCENARIOS,
    CampaignOptions,
)
from selflearn.graph._runner import (
    INTERRUPTED,
    CampaignOutcome,
    CampaignRunner,
    PreparedCampaign,
    list_campaigns,
)
from selflearn.graph._state import CampaignState

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_GOAL",
    "DEFAULT_HOLDOUT_SCENARIOS",
    "DEFAULT_HOLDOUT_SEEDS",
    "DEFAULT_SCENARIOS",
    "INTERRUPTED",
    "CampaignContext",
    "CampaignOptions",
    "CampaignOutcome",
    "CampaignRunner",
    "CampaignState",
    "GraphTools",
    "PreparedCampaign",
    "build_campaign_graph",
    "campaign_scenarios",
    "experiment_goal",
    "list_campaigns",
    "new_campaign",
    "open_campaign",
    "open_checkpointer",
    "parse_goal_text",
    "split_scenarios",
]

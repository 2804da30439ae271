"""The Manager: the owner's only contact; turns "I want" into a GoalSpec and acts via tools.

Offline, a deterministic parser reads the owner's words (phrasings in `_intent_parser`,
`_goal_parser` and docs/manager.md); with an OpenAI-compatible manager model configured,
the model chooses tools and the code validates every call. Either way the Manager
restates and asks before saving a goal, approving or rolling back, and keeps every message
and decision on record.
"""

from selflearn.agents.manager._catalog import METRIC_FACTORS, METRICS, SCOPES, MetricName
from selflearn.agents.manager._draft import GoalAmendment, GoalDraft, default_guardrails
from selflearn.agents.manager._goal import GoalSpec, Guardrail, MetricTarget
from selflearn.agents.manager._goal_parser import GoalParse, parse_goal
from selflearn.agents.manager._help import EXAMPLES, help_text
from selflearn.agents.manager._intent_parser import parse_intent
from selflearn.agents.manager._intents import (
    AdjustGoal,
    Approve,
    Cancel,
    Confirm,
    ExplainVersion,
    Greet,
    Intent,
    ListProposals,
    NotUnderstood,
    Reject,
    Rollback,
    RunCampaign,
    SetGoal,
    ShowHelp,
    ShowReport,
    ShowStatus,
    Thank,
    intent_name,
    tool_specs,
)
from selflearn.agents.manager._llm import SYSTEM_PROMPT
from selflearn.agents.manager._log import OWNER_DECISION, ConversationLog, StoredMessage
from selflearn.agents.manager._manager import Manager
from selflearn.agents.manager._models import (
    CampaignReport,
    CampaignSummary,
    ExperimentOutcome,
    GoalRecord,
    ProposalSummary,
    ReportedDelta,
    StatusSummary,
    VersionChange,
)
from selflearn.agents.manager._offline_role import read_intent
from selflearn.agents.manager._read_goal import read_goal
from selflearn.agents.manager._render import (
    render_campaign,
    render_proposals,
    render_report,
    render_status,
)
from selflearn.agents.manager._reply import ManagerReply, PendingAction
from selflearn.agents.manager._tools import ManagerTools

__all__ = [
    "EXAMPLES",
    "METRICS",
    "METRIC_FACTORS",
    "OWNER_DECISION",
    "SCOPES",
    "SYSTEM_PROMPT",
    "AdjustGoal",
    "Approve",
    "CampaignReport",
    "CampaignSummary",
    "Cancel",
    "Confirm",
    "ConversationLog",
    "ExperimentOutcome",
    "ExplainVersion",
    "GoalAmendment",
    "GoalDraft",
    "GoalParse",
    "GoalRecord",
    "GoalSpec",
    "Greet",
    "Guardrail",
    "Intent",
    "ListProposals",
    "Manager",
    "ManagerReply",
    "ManagerTools",
    "ReportedDelta",
    "MetricName",
    "MetricTarget",
    "NotUnderstood",
    "PendingAction",
    "ProposalSummary",
    "Reject",
    "Rollback",
    "RunCampaign",
    "SetGoal",
    "ShowHelp",
    "ShowReport",
    "ShowStatus",
    "StatusSummary",
    "StoredMessage",
    "Thank",
    "VersionChange",
    "default_guardrails",
    "help_text",
    "intent_name",
    "parse_goal",
    "parse_intent",
    "read_goal",
    "read_intent",
    "render_campaign",
    "render_proposals",
    "render_report",
    "render_status",
    "tool_specs",
]

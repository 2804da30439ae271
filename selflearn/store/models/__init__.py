"""SQLAlchemy models of every table; the schema itself is made by the Alembic migrations."""

from selflearn.store.models._access import ROLES, ApiToken, ConsoleSession
from selflearn.store.models._base import Base
from selflearn.store.models._episodes import Episode, ProbeResult
from selflearn.store.models._experiments import (
    Campaign,
    Experiment,
    ExperimentResult,
    Goal,
    JournalEntry,
    ManagerMessage,
    Proposal,
)
from selflearn.store.models._learners import (
    MicrographTurn,
    MirrorEvent,
    PolicyEntry,
    TopicTransition,
)
from selflearn.store.models._memory import GoldenExample, Memory, UserSettings
from selflearn.store.models._params import VERSION_STATUSES, ParameterChange, ParameterVersion
from selflearn.store.models._prompts import PromptVersionRow
from selflearn.store.models._telemetry import (
    CYCLE_TYPES,
    STAGES,
    PipelineRun,
    TelemetryEvent,
)

__all__ = [
    "CYCLE_TYPES",
    "ROLES",
    "STAGES",
    "VERSION_STATUSES",
    "ApiToken",
    "Base",
    "Campaign",
    "ConsoleSession",
    "Episode",
    "Experiment",
    "ExperimentResult",
    "Goal",
    "GoldenExample",
    "JournalEntry",
    "ManagerMessage",
    "Memory",
    "MicrographTurn",
    "MirrorEvent",
    "ParameterChange",
    "ParameterVersion",
    "PromptVersionRow",
    "PipelineRun",
    "PolicyEntry",
    "ProbeResult",
    "Proposal",
    "TelemetryEvent",
    "TopicTransition",
    "UserSettings",
]

"""The Student: a memory service (MaaS) — remember dialogue, retrieve, answer, measure.

A turn runs analyzer → assembler (hybrid retrieval in PostgreSQL + context assembly) →
responder, then the archivist stores what the user said; every turn writes a
`pipeline_runs` row and one `telemetry_events` row per stage.
"""

from selflearn.maas._analyzer import QueryAnalysis, analyze_query
from selflearn.maas._archivist import (
    MAX_TAGS,
    Archivist,
    memory_from_turn,
    tag_candidates,
    with_reply_context,
)
from selflearn.maas._assembler import AssembledContext, assemble_context
from selflearn.maas._behaviour import BEHAVIOUR_FACTORS, AnswerBehaviour
from selflearn.maas._client import StudentClient, StudentReply
from selflearn.maas._extractive import extractive_answer
from selflearn.maas._prompts import (
    ABSTENTION,
    ANSWER_RULES,
    PROMPTS,
    PromptVersion,
    get_prompt,
    load_prompt,
)
from selflearn.maas._responder import (
    OFFLINE_IGNORED_FACTORS,
    TONE_PREFIX,
    ResponderModel,
    is_abstention,
    offline_responder,
)
from selflearn.maas._retrieval import RetrievalConfig
from selflearn.maas._service import MemoryService
from selflearn.maas._timeexpr import DateRange, find_time_range
from selflearn.maas._types import (
    AddedMemory,
    MemoryInput,
    MemoryRecord,
    RetrievedMemory,
    SearchResult,
    TurnResult,
)
from selflearn.maas._versions import ResolvedParameters, resolve_parameters

__all__ = [
    "ANSWER_RULES",
    "load_prompt",
    "ABSTENTION",
    "BEHAVIOUR_FACTORS",
    "AnswerBehaviour",
    "MAX_TAGS",
    "OFFLINE_IGNORED_FACTORS",
    "PROMPTS",
    "TONE_PREFIX",
    "AddedMemory",
    "Archivist",
    "AssembledContext",
    "DateRange",
    "MemoryInput",
    "MemoryRecord",
    "MemoryService",
    "PromptVersion",
    "QueryAnalysis",
    "ResolvedParameters",
    "RetrievalConfig",
    "ResponderModel",
    "RetrievedMemory",
    "SearchResult",
    "StudentClient",
    "StudentReply",
    "TurnResult",
    "analyze_query",
    "assemble_context",
    "extractive_answer",
    "find_time_range",
    "get_prompt",
    "is_abstention",
    "memory_from_turn",
    "offline_responder",
    "resolve_parameters",
    "tag_candidates",
    "with_reply_context",
]

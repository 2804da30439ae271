"""The Tuner: pure, deterministic parameter code (space, validation, versions, rules).

Every operation takes the SQLAlchemy `session` and the clock `now` from the caller and does
no other I/O. Writes happen inside a savepoint: a refused operation changes nothing.
"""

from selflearn.tuner._activation import activate, retire, rollback
from selflearn.tuner._autonomy import DEFAULT_COOLDOWN, DEFAULT_MAX_STEPS, AutonomyPolicy, StepLimit
from selflearn.tuner._cooldown import cooldown_left, format_duration, last_changed
from selflearn.tuner._degradation import (
    DEGRADATION_INITIATOR,
    DegradationDecision,
    DegradationOutcome,
    RuleCheck,
    check_degradation,
    enforce_degradation_rules,
    rollback_conditions_for,
)
from selflearn.tuner._experiments import prepare_experiment
from selflearn.tuner._explain import Explanation, LogEntry, VersionStep, explain
from selflearn.tuner._formats import (
    OWNER,
    ParamChange,
    PrepareExperiment,
    RollbackConditions,
    UpdateParams,
    VariantSpec,
    parse_prepare_experiment,
    parse_update_params,
)
from selflearn.tuner._improvement import (
    HIGH_HALLUCINATION,
    LOW_PRECISION,
    LOW_RECALL,
    ImprovementReport,
    ImprovementRules,
    Recommendation,
    SkippedRule,
    recommend_improvements,
    rule_firings,
)
from selflearn.tuner._memory_quality import (
    MemoryQualityActions,
    MemoryQualityPolicy,
    memory_quality_actions,
    quality_score,
)
from selflearn.tuner._metrics import CycleMetrics
from selflearn.tuner._prompts import (
    PromptDraft,
    check_draft,
    check_prompts_registered,
    register_prompt,
    registered_prompts,
)
from selflearn.tuner._proposals import (
    approve_proposal,
    get_proposal,
    list_proposals,
    proposal_record,
    reject_proposal,
)
from selflearn.tuner._updates import ApplyResult, propose_update, update_params
from selflearn.tuner._versions import (
    ParamDiff,
    active_version,
    diff,
    diff_params,
    effective_params,
    ensure_active_version,
    get_version,
    list_versions,
    version_record,
)

__all__ = [
    "PromptDraft",
    "check_draft",
    "check_prompts_registered",
    "register_prompt",
    "registered_prompts",
    "DEFAULT_COOLDOWN",
    "DEFAULT_MAX_STEPS",
    "DEGRADATION_INITIATOR",
    "HIGH_HALLUCINATION",
    "LOW_PRECISION",
    "LOW_RECALL",
    "OWNER",
    "ApplyResult",
    "AutonomyPolicy",
    "CycleMetrics",
    "DegradationDecision",
    "DegradationOutcome",
    "Explanation",
    "ImprovementReport",
    "ImprovementRules",
    "LogEntry",
    "MemoryQualityActions",
    "MemoryQualityPolicy",
    "ParamChange",
    "ParamDiff",
    "PrepareExperiment",
    "Recommendation",
    "RollbackConditions",
    "RuleCheck",
    "SkippedRule",
    "StepLimit",
    "UpdateParams",
    "VariantSpec",
    "VersionStep",
    "activate",
    "active_version",
    "approve_proposal",
    "check_degradation",
    "cooldown_left",
    "diff",
    "diff_params",
    "effective_params",
    "enforce_degradation_rules",
    "ensure_active_version",
    "explain",
    "format_duration",
    "get_proposal",
    "get_version",
    "last_changed",
    "list_proposals",
    "proposal_record",
    "version_record",
    "list_versions",
    "memory_quality_actions",
    "parse_prepare_experiment",
    "parse_update_params",
    "prepare_experiment",
    "propose_update",
    "quality_score",
    "recommend_improvements",
    "reject_proposal",
    "retire",
    "rollback",
    "rollback_conditions_for",
    "rule_firings",
    "update_params",
]

"""The Teacher: designs experiments, evaluates them and decides winner, loser or inconclusive.

* `design_experiment` picks the next hypothesis (rules first, then the Teacher model's
  validated proposals, then a seeded search) and plans it: `prepare_experiment` payload,
  metrics, planned and maximum paired episodes;
* `evaluate_experiment_sql` measures it from `episodes` and `probe_results`, pairs episodes
  across arms and stores one result row per variant, metric and look;
* `recommend` turns the verdicts into an `update_params` payload, more episodes or nothing;
* `journal_*` write hypotheses, decisions and recommendations to the learning journal;
* `judge_probe` is the optional LLM judge (`selflearn.simulator.agreement` measures it
  against the metrics).

The statistics live in `selflearn.agents.teacher.stats` and the raw hypothesis search in
`selflearn.agents.teacher.search`. Importing this package registers the offline behaviour
of the "teacher" and "judge" roles.
"""

from selflearn.agents.teacher._goal import (
    ExperimentGoal,
    ExperimentRecord,
    GuardrailMetric,
    PrimaryMetric,
)
from selflearn.agents.teacher._plan import BASELINE, ExperimentPlan, Hypothesis
from selflearn.agents.teacher._prompt_drafts import PromptDrafts, draft_prompts, offline_drafts
from selflearn.agents.teacher._proposals import (
    HypothesisProposal,
    HypothesisProposals,
    offline_teacher,
    validate_proposal,
)
from selflearn.agents.teacher._search_state import SearchState
from selflearn.agents.teacher.design import (
    design_experiment,
    experiment_id,
    plan_experiment,
    short_experiment_id,
)
from selflearn.agents.teacher.evaluate import (
    ArmSummary,
    Evaluation,
    evaluate_experiment_sql,
    experiment_record,
)
from selflearn.agents.teacher.journal import (
    journal_decision,
    journal_hypothesis,
    journal_recommendation,
)
from selflearn.agents.teacher.judge import (
    JudgeVerdict,
    judge_probe,
    judge_probe_call,
    offline_judge,
    rule_based_verdict,
)
from selflearn.agents.teacher.judging import (
    OFFLINE_NOTE,
    episode_judge,
    judge_agreement,
    kappa_text,
    label_of,
)
from selflearn.agents.teacher.metrics import metric_spec
from selflearn.agents.teacher.recommend import ExperimentRecommendation, recommend

__all__ = [
    "PromptDrafts",
    "draft_prompts",
    "offline_drafts",
    "OFFLINE_NOTE",
    "episode_judge",
    "judge_agreement",
    "kappa_text",
    "label_of",
    "BASELINE",
    "ArmSummary",
    "Evaluation",
    "ExperimentGoal",
    "ExperimentPlan",
    "ExperimentRecommendation",
    "ExperimentRecord",
    "GuardrailMetric",
    "Hypothesis",
    "HypothesisProposal",
    "HypothesisProposals",
    "JudgeVerdict",
    "PrimaryMetric",
    "SearchState",
    "design_experiment",
    "evaluate_experiment_sql",
    "experiment_id",
    "short_experiment_id",
    "experiment_record",
    "journal_decision",
    "journal_hypothesis",
    "journal_recommendation",
    "judge_probe",
    "judge_probe_call",
    "metric_spec",
    "offline_judge",
    "offline_teacher",
    "plan_experiment",
    "recommend",
    "rule_based_verdict",
    "validate_proposal",
]

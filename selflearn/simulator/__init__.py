"""The simulator: scenarios, golden data, the offline emulator, episodes and metrics.

A scenario (YAML, see scenarios/README.md) becomes a seeded dialogue (`generate_dialogue`),
pure code with no database and no LLM; each probe's outcome is scored against its golden
truth (`score_probe`) and episodes are aggregated (`aggregate_scores`, `pass_hat_k`).
`play_and_record` plays one episode against a Student client and stores it with its probes.
"""

from selflearn.simulator._abstention import ABSTENTION_PHRASES, is_abstention
from selflearn.simulator._aggregate import (
    EpisodeMetrics,
    aggregate_scores,
    episode_passed,
    pass_hat_k,
    pass_hat_k_task,
)
from selflearn.simulator._agreement import agreement
from selflearn.simulator._errors import RuleIssue, ScenarioError, ScenarioIssue
from selflearn.simulator._generated_set import GeneratedSet, write_generated_set
from selflearn.simulator._generator import generate_scenario
from selflearn.simulator._golden import GoldenProbe, golden_probes, stale_values
from selflearn.simulator._loader import (
    load_scenario,
    load_scenarios,
    parse_scenario,
    scenario_files,
)
from selflearn.simulator._paraphrase import (
    Paraphraser,
    TemplateParaphraser,
    check_paraphrase_keeps,
    safe_paraphrase,
    salient_spans,
)
from selflearn.simulator._recorder import EpisodeJudge, play_and_record
from selflearn.simulator._rules import check_scenario
from selflearn.simulator._scenario import (
    DEFAULT_USER_ID,
    Delivery,
    Distractor,
    Fact,
    FillerLine,
    Persona,
    Probe,
    ProbeKind,
    Scenario,
    Session,
    Split,
    Style,
    User,
)
from selflearn.simulator._seeding import derive_seed
from selflearn.simulator._text import normalize, span_f1, token_f1, tokens
from selflearn.simulator.dialogue import (
    DialogueEvent,
    generate_dialogue,
    probe_events,
    provenance_map,
)
from selflearn.simulator.metrics import (
    MetricSettings,
    ProbeOutcome,
    ProbeScore,
    ProbeTruth,
    RetrievedItem,
    context_precision,
    score_probe,
)

__all__ = [
    "EpisodeJudge",
    "ABSTENTION_PHRASES",
    "DEFAULT_USER_ID",
    "Delivery",
    "DialogueEvent",
    "Distractor",
    "EpisodeMetrics",
    "Fact",
    "FillerLine",
    "GeneratedSet",
    "GoldenProbe",
    "MetricSettings",
    "Paraphraser",
    "Persona",
    "Probe",
    "ProbeKind",
    "ProbeOutcome",
    "ProbeScore",
    "ProbeTruth",
    "RetrievedItem",
    "RuleIssue",
    "Scenario",
    "ScenarioError",
    "ScenarioIssue",
    "Session",
    "Split",
    "Style",
    "TemplateParaphraser",
    "User",
    "aggregate_scores",
    "agreement",
    "check_paraphrase_keeps",
    "check_scenario",
    "context_precision",
    "derive_seed",
    "episode_passed",
    "generate_dialogue",
    "generate_scenario",
    "golden_probes",
    "is_abstention",
    "load_scenario",
    "load_scenarios",
    "normalize",
    "parse_scenario",
    "pass_hat_k",
    "pass_hat_k_task",
    "play_and_record",
    "probe_events",
    "provenance_map",
    "safe_paraphrase",
    "salient_spans",
    "scenario_files",
    "score_probe",
    "span_f1",
    "stale_values",
    "token_f1",
    "tokens",
    "write_generated_set",
]

"""The Teacher's statistics: sequential paired tests, sample sizes and experiment verdicts.

Every test here stays valid while an experiment is watched as it runs: looking after every
episode is allowed, and on two identical arms the chance that any look declares a winner or
a loser stays at most alpha. See `_mixture` for the method and its one tuning parameter.
A comparison analysed only once, on a sample fixed in advance, uses `fixed_paired_test` (the
paired t-test) or, with scenarios as the unit, `scenario_paired_test` (the paired sign-flip
permutation test over scenario means).
"""

from selflearn.agents.teacher.stats._decision import DEFAULT_PLANNED_N, Decision, Verdict, decide
from selflearn.agents.teacher.stats._experiment import ArmData, evaluate_experiment
from selflearn.agents.teacher.stats._fixed import FixedComparison, fixed_paired_test
from selflearn.agents.teacher.stats._json import JsonFloat
from selflearn.agents.teacher.stats._mixture import mixture_variance
from selflearn.agents.teacher.stats._multiple import CORRECTIONS, Correction, adjust_pvalues
from selflearn.agents.teacher.stats._pairing import align_pairs
from selflearn.agents.teacher.stats._permutation import permutation_paired_test
from selflearn.agents.teacher.stats._power import plan_sample_size
from selflearn.agents.teacher.stats._report import (
    ExperimentReport,
    ExperimentVerdict,
    GuardrailStatus,
    MetricDelta,
    MetricRole,
    MetricSpec,
    Movement,
)
from selflearn.agents.teacher.stats._scenario_level import MIN_SCENARIOS, scenario_paired_test
from selflearn.agents.teacher.stats._srm import SRM_THRESHOLD, SampleRatioCheck, check_sample_ratio

__all__ = [
    "CORRECTIONS",
    "DEFAULT_PLANNED_N",
    "MIN_SCENARIOS",
    "SRM_THRESHOLD",
    "ArmData",
    "Correction",
    "Decision",
    "ExperimentReport",
    "ExperimentVerdict",
    "FixedComparison",
    "GuardrailStatus",
    "JsonFloat",
    "MetricDelta",
    "MetricRole",
    "MetricSpec",
    "Movement",
    "SampleRatioCheck",
    "Verdict",
    "adjust_pvalues",
    "align_pairs",
    "check_sample_ratio",
    "decide",
    "evaluate_experiment",
    "fixed_paired_test",
    "mixture_variance",
    "permutation_paired_test",
    "plan_sample_size",
    "scenario_paired_test",
]

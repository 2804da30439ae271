"""Turn the Manager's GoalSpec into what the Teacher designs and judges experiments with."""

from __future__ import annotations

from collections.abc import Collection

from langchain_core.language_models import BaseChatModel

from selflearn.agents.manager import GoalSpec, read_goal
from selflearn.agents.metrics import BY_NAME
from selflearn.agents.teacher import ExperimentGoal
from selflearn.errors import InvalidInputError

#: The goal of `selflearn campaign run` when the owner names none.
DEFAULT_GOAL = "cut hallucinations below 5 % without losing recall"


def parse_goal_text(text: str, *, llm: BaseChatModel | None = None) -> GoalSpec:
    """Parse an owner's goal sentence with the Manager's model (offline: its parser); refuse
    what the Manager does not understand."""
    return read_goal(text, llm=llm)


def experiment_goal(
    spec: GoalSpec, *, assumed_effect_sd: float, ignored_factors: Collection[str] = ()
) -> ExperimentGoal:
    """Return the Teacher's view of a goal: primaries, absolute guardrails, allowed factors.

    `ignored_factors` (factors the Student does not read) are left out of the allowed ones.
    """
    guardrails: dict[str, float] = {}
    for guard in spec.guardrails:
        if guard.kind != "non_inferiority" or guard.relative or guard.margin is None:
            continue  # limits and relative margins are checked by the monitor step
        if not BY_NAME[guard.metric].in_verdicts:
            continue
        guardrails[guard.metric] = guard.margin
    primary = [{"name": t.metric} for t in spec.primary if BY_NAME[t.metric].in_verdicts]
    if not primary:
        raise InvalidInputError(
            "latency alone cannot be an experiment's primary metric offline",
            hint="Name a quality metric (recall, hallucination, answer quality) as the target.",
        )
    permitted = [f for f in spec.allowed_factors if f not in spec.forbidden_factors]
    return ExperimentGoal.model_validate(
        {
            "primary": primary,
            "guardrails": guardrails,
            "allowed_factors": [f for f in permitted if f not in ignored_factors],
            "ignored_factors": [f for f in permitted if f in ignored_factors],
            "autonomy": spec.autonomy,
            "assumed_effect_sd": assumed_effect_sd,
        }
    )

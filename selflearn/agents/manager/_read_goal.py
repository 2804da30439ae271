"""Read an owner's goal sentence into a GoalSpec: with the Manager's model when it has one."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from selflearn.agents.manager._goal import GoalSpec
from selflearn.agents.manager._intent_parser import parse_intent
from selflearn.agents.manager._intents import AnyIntent, NotUnderstood, SetGoal
from selflearn.agents.manager._llm import LLMIntentSource, uses_llm
from selflearn.errors import InvalidInputError


def read_goal(text: str, *, llm: BaseChatModel | None = None) -> GoalSpec:
    """Return the goal `text` states, read by the Manager's model (offline: the parser).

    Whatever reads it, the goal is validated as a `SetGoal` call; anything else is refused
    with what was understood and examples. A model that fails after its retries raises the
    typed ProviderError.
    """
    intents: list[AnyIntent]
    if uses_llm(llm):
        assert llm is not None
        intents = LLMIntentSource(llm).read(text, []).intents
    else:
        intents = [parse_intent(text)]
    goal = next((i for i in intents if isinstance(i, SetGoal)), None)
    if goal is None:
        problem = next((i for i in intents if isinstance(i, NotUnderstood)), None)
        reason = problem.reason if problem is not None else "it is not a goal"
        examples = problem.examples if problem is not None else []
        if problem is not None and problem.suggestion:
            examples = [problem.suggestion, *[e for e in examples if e != problem.suggestion]]
        hint = "Say it like: " + " | ".join(examples[:3]) if examples else None
        raise InvalidInputError(f"the Manager did not understand the goal: {reason}", hint=hint)
    try:
        return goal.to_spec(text)
    except ValueError as error:
        raise InvalidInputError(f"the goal is inconsistent: {error}") from None

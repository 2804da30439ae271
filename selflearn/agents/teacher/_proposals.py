"""Hypotheses in words from the Teacher's model, always checked before they count.

The model sees the goal, the allowed factors with their ranges and active values, what was
already tested, the recent cycles and the search's own suggestion, and answers with
`HypothesisProposals` (structured output). Each proposal is validated through the Tuner's
registry: an unknown or disallowed factor, a value out of range, no change, or a change
already tested is dropped with a note that goes to the learning journal.

Offline, the "teacher" role answers with the search's suggestion (the handler reads it from
the same JSON context the real model sees), so both modes share this code path and the
offline mode stays deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from selflearn.agents.teacher._goal import ExperimentGoal, ExperimentRecord, config_key
from selflearn.agents.teacher._plan import BASELINE, Hypothesis
from selflearn.agents.teacher._prompt_drafts import PromptDrafts, offline_drafts
from selflearn.errors import InvalidInputError, ProviderError
from selflearn.providers import invoke_structured
from selflearn.space import REGISTRY
from selflearn.tuner import CycleMetrics

TEACHER_ROLE = "teacher"
#: Proposals read from one answer; the rest are ignored.
MAX_PROPOSALS = 5


class HypothesisProposal(BaseModel):
    """One proposed change: a factor, its new value, and why it should help."""

    factor: str = Field(description="dotted name of one allowed impact factor")
    new_value: int | float | str = Field(description="the value to test, within its range")
    rationale: str = Field(description="why this change should move the goal's metrics")


class HypothesisProposals(BaseModel):
    """The Teacher model's answer: proposals, best first."""

    proposals: list[HypothesisProposal] = Field(default_factory=list)


SYSTEM_PROMPT = (
    "You are the Teacher of a memory service for chat assistants. You design A/B experiments "
    "that change one impact factor at a time, so every verdict can be explained. The user "
    "message is a JSON context: the goal (primary metrics and guardrails), the allowed "
    "factors with their ranges and active values, the changes already tested with their "
    "verdicts, recent cycle metrics, and a suggestion from a Bayesian search. Propose up to "
    "three hypotheses, best first. Each changes exactly one allowed factor to a new value "
    "inside its range that has not been tested yet, with a one-sentence rationale that "
    "names the metric it should move. Answer in the requested structured format only."
)


def _factor_info(name: str, active: Mapping[str, Any]) -> dict[str, Any]:
    spec = REGISTRY[name]
    info: dict[str, Any] = {"name": name, "type": spec.kind, "active": active.get(name)}
    if spec.low is not None:
        info["range"] = [spec.low, spec.high]
    if spec.choices:
        info["choices"] = list(spec.choices)
    info["trade_off"] = spec.description
    return info


def _tested_changes(record: ExperimentRecord) -> dict[str, Any]:
    base = record.arm_params.get(BASELINE, {})
    arms = {
        arm: {k: v for k, v in params.items() if base.get(k) != v}
        for arm, params in record.arm_params.items()
        if arm != BASELINE
    }
    return {"experiment_id": record.experiment_id, "changes": arms, "verdicts": record.verdicts}


def proposal_messages(
    goal: ExperimentGoal,
    *,
    active: Mapping[str, Any],
    history: Sequence[ExperimentRecord],
    cycle_metrics: Sequence[CycleMetrics],
    suggestion: Hypothesis | None,
) -> list[BaseMessage]:
    """Return the messages asking for hypotheses (system rules + the JSON context)."""
    suggested = None
    if suggestion is not None:
        factor, value = next(iter(suggestion.variants["variant"].items()))
        suggested = {"factor": factor, "new_value": value, "rationale": suggestion.rationale}
    context = {
        "goal": {
            "primary": [m.model_dump(mode="json") for m in goal.primary],
            "guardrails": [g.model_dump(mode="json") for g in goal.guardrails],
        },
        "allowed_factors": [_factor_info(name, active) for name in goal.allowed_factors],
        "tested": [_tested_changes(record) for record in history],
        "recent_cycles": [c.model_dump(mode="json", exclude_none=True) for c in cycle_metrics],
        "search_suggestion": suggested,
    }
    return [SystemMessage(SYSTEM_PROMPT), HumanMessage(json.dumps(context, sort_keys=True))]


def _coerce(name: str, value: Any) -> Any:
    spec = REGISTRY[name]
    if spec.kind in ("int", "float") and isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidInputError(f"{name} needs a number, got {value!r}") from None
    return spec.validate(value)


def validate_proposal(
    proposal: HypothesisProposal,
    *,
    goal: ExperimentGoal,
    active: Mapping[str, Any],
    tested: set[tuple[tuple[str, str], ...]],
) -> Hypothesis | str:
    """Return the proposal as a hypothesis, or the reason it has to be dropped."""
    name = proposal.factor
    if name not in REGISTRY:
        return f"unknown factor {name!r}"
    if name not in goal.allowed_factors:
        return f"{name} is not among the factors the goal allows"
    try:
        value = _coerce(name, proposal.new_value)
    except InvalidInputError as error:
        return error.message
    if value == active.get(name):
        return f"{name} is already {value!r}"
    if config_key({**active, name: value}) in tested:
        return f"{name}={value!r} was already tested"
    return Hypothesis(
        source="llm", variants={"variant": {name: value}}, rationale=proposal.rationale.strip()
    )


def llm_hypothesis(
    llm: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    goal: ExperimentGoal,
    active: Mapping[str, Any],
    tested: set[tuple[tuple[str, str], ...]],
    notes: list[str],
) -> Hypothesis | None:
    """Return the first valid proposal of the model; note every dropped one (and failures)."""
    try:
        answer, _ = invoke_structured(llm, messages, HypothesisProposals, role=TEACHER_ROLE)
    except ProviderError as error:
        notes.append(f"the teacher model gave no proposals ({error.message}); using the search")
        return None
    for proposal in answer.proposals[:MAX_PROPOSALS]:
        checked = validate_proposal(proposal, goal=goal, active=active, tested=tested)
        if isinstance(checked, Hypothesis):
            return checked
        notes.append(
            f"dropped proposal {proposal.factor}={proposal.new_value!r} "
            f"({proposal.rationale.strip()[:120]}): {checked}"
        )
    return None


def offline_teacher(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str | BaseModel:
    """Answer as the offline Teacher: propose exactly the search's suggestion."""
    context: dict[str, Any] = {}
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            try:
                context = json.loads(message.text)
            except json.JSONDecodeError:
                context = {}
            break
    if schema is not None and issubclass(schema, PromptDrafts):
        base = str(context.get("current_prompt", "")) if isinstance(context, dict) else ""
        return offline_drafts(base, int(context.get("drafts", 2)) if context else 2)
    suggested = context.get("search_suggestion") if isinstance(context, dict) else None
    proposals = []
    if isinstance(suggested, dict):
        proposal = HypothesisProposal.model_validate(suggested)
        rationale = f"offline teacher, the search's suggestion: {proposal.rationale}"
        proposals.append(proposal.model_copy(update={"rationale": rationale}))
    answer = HypothesisProposals(proposals=proposals)
    if schema is None or not issubclass(schema, HypothesisProposals):
        return answer.model_dump_json()
    return answer

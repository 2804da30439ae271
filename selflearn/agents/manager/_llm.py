"""LLM mode: the model picks tools, the code validates every call before anything runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from selflearn.agents.manager._catalog import FACTOR_ALIASES, METRICS, SCOPES
from selflearn.agents.manager._draft import problems_of
from selflearn.agents.manager._help import SHORT_EXAMPLES
from selflearn.agents.manager._intents import TOOL_INTENTS, AnyIntent, NotUnderstood, tool_specs
from selflearn.providers import OfflineChatModel, invoke_tools

SYSTEM_PROMPT = f"""You are the Manager of SELFLEARN, a system that improves a chat assistant's \
memory through experiments. You are the only one the owner talks to.

Rules:
- Act only by calling the tools. Never claim to have changed parameters yourself.
- A goal must name concrete metrics. If the owner is vague ("be smarter"), call no tool
  and ask which metric should move and how.
- Metrics (rates are fractions from 0 to 1; 3 % is 0.03): {", ".join(METRICS)}.
- Impact factors: {", ".join(FACTOR_ALIASES)}.
- Scopes (optional): {", ".join(SCOPES)}.
- "Leave X alone" about a metric means: put it in `ignore` (no target, no guardrail).
  About a factor it means: put it in `forbid`.
- "Without losing X" is a non_inferiority guardrail on X; "keep X under N" is a limit.
- Use set_goal for a new or changed goal, adjust_goal for changes to the current goal's
  factors, autonomy or guardrails. Call approve, reject and rollback when asked: the code
  asks the owner to confirm, so do not ask for confirmation yourself.
- Tool results are shown to the owner by the code; keep your own text short.
"""
HISTORY_LIMIT = 20


@dataclass
class LLMTurn:
    """What the model made of one message: the intents to run, its own text, its usage."""

    intents: list[AnyIntent] = field(default_factory=list)
    text: str = ""
    usage: dict[str, Any] = field(default_factory=dict)


def uses_llm(llm: BaseChatModel | None) -> bool:
    """Return whether `llm` should drive the Manager (offline models use the parser)."""
    return llm is not None and not isinstance(llm, OfflineChatModel)


class LLMIntentSource:
    """Turn the owner's words into validated intents through a tool-calling model."""

    def __init__(self, llm: BaseChatModel) -> None:
        self._llm = llm

    def read(self, text: str, history: Sequence[BaseMessage]) -> LLMTurn:
        """Ask the model (retried under the role's policy); an invalid tool call becomes
        `NotUnderstood`, never an action."""
        messages = [SystemMessage(SYSTEM_PROMPT), *history[-HISTORY_LIMIT:], HumanMessage(text)]
        answer, _ = invoke_tools(self._llm, messages, tool_specs(), role="manager")
        turn = LLMTurn(text=answer.text.strip(), usage=_usage(answer))
        for call in answer.tool_calls:
            turn.intents.append(_validated(call["name"], call["args"]))
        for bad in answer.invalid_tool_calls:
            turn.intents.append(
                NotUnderstood(
                    reason=f"the model's call to {bad.get('name')!r} was malformed "
                    f"({bad.get('error') or 'arguments are not valid JSON'})",
                    examples=list(SHORT_EXAMPLES),
                )
            )
        return turn


def _validated(name: str, args: dict[str, Any]) -> AnyIntent:
    cls = TOOL_INTENTS.get(name)
    if cls is None:
        return NotUnderstood(
            reason=f"the model asked for a tool I do not have ({name!r})",
            examples=list(SHORT_EXAMPLES),
        )
    try:
        intent: AnyIntent = cls.model_validate(args)  # type: ignore[assignment]
    except ValidationError as error:
        return NotUnderstood(
            reason=f"the model's {name} call was not valid: " + "; ".join(problems_of(error)),
            examples=list(SHORT_EXAMPLES),
        )
    return intent


def _usage(message: AIMessage) -> dict[str, Any]:
    usage: dict[str, Any] = dict(message.usage_metadata or {})
    return {
        "prompt_tokens": int(usage.get("input_tokens", 0)),
        "completion_tokens": int(usage.get("output_tokens", 0)),
        "model": str(message.response_metadata.get("model_name", "")),
    }

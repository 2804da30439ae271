"""Role behaviour for the test server: each role's model answers over HTTP as the role's
offline behaviour would (Student extractive answers, rule-based judge, the Teacher's search
suggestion, the Manager's intent parser as tool calls), and the emulator rewords messages
keeping every planted value."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from selflearn.agents.manager import NotUnderstood, parse_intent
from selflearn.agents.teacher import HypothesisProposals, JudgeVerdict
from selflearn.bootstrap import offline_handlers
from tests.llm_server import ChatRequest, Handler, Reply

SCHEMAS: dict[str, type[BaseModel]] = {
    cls.__name__: cls for cls in (JudgeVerdict, HypothesisProposals)
}


def messages_of(request: ChatRequest) -> list[BaseMessage]:
    """Return the request's messages as LangChain messages."""
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [
        kinds.get(m.get("role", "user"), HumanMessage)(content=m.get("content") or "")
        for m in request.messages
    ]


def _offline(role: str) -> Handler:
    handler = offline_handlers()[role]

    def answer(request: ChatRequest) -> Any:
        schema = SCHEMAS.get((request.schema or {}).get("name", ""))
        result = handler(messages_of(request), schema=schema, seed=0)
        return result if isinstance(result, BaseModel) else str(result)

    return answer


def emulator(request: ChatRequest) -> Any:
    """Reword a user message: the same words after a short lead-in (values kept)."""
    said = request.last()
    message = said.split("MESSAGE: ", 1)[-1].split("\nKEEP:", 1)[0]
    return f"Well, {message[0].lower()}{message[1:]}" if message else ""


def manager(request: ChatRequest) -> Any:
    """Call the tool the offline parser reads in the owner's last message."""
    intent = parse_intent(request.last())
    if isinstance(intent, NotUnderstood):
        return Reply(content=f"I did not understand: {intent.reason}")
    args = json.loads(intent.model_dump_json())
    return Reply(tool_calls=[(getattr(intent, "tool", "") or "help", args)])


def role_handlers() -> dict[str, Handler]:
    """Return the handler of each role's model on the test server ("<role>-model")."""
    return {
        "responder-model": _offline("responder"),
        "judge-model": _offline("judge"),
        "teacher-model": _offline("teacher"),
        "emulator-model": emulator,
        "manager-model": manager,
    }

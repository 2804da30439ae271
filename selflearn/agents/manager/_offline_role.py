"""The offline Manager's behaviour: its chat model answers with the intent the parser reads."""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import BaseModel

from selflearn.agents.manager._intent_parser import parse_intent
from selflearn.agents.manager._intents import intent_name


def read_intent(
    messages: Sequence[BaseMessage], *, schema: type[BaseModel] | None, seed: int
) -> str | BaseModel:
    """Parse the last owner message; return the intent (as `schema` when it is that type)."""
    said = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    intent = parse_intent(said)
    if schema is not None and isinstance(intent, schema):
        return intent
    return json.dumps({"intent": intent_name(intent), "args": intent.model_dump(mode="json")})

"""Call a chat model once: typed errors, tokens, cost, retries and latency recorded."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ValidationError

from selflearn.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class ChatCall:
    """What one model call returned and cost."""

    text: str
    parsed: BaseModel | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    retries: int
    latency_ms: float
    model: str
    provider: str


def _role_setting(role: str, field: str) -> str:
    return f"SELFLEARN_{role.upper()}__{field.upper()}"


def map_provider_error(error: Exception, *, role: str) -> ProviderError:
    """Translate an SDK or parsing failure into the project's typed provider error."""
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ProviderAuthError(
            f"the {role} provider rejected the API key ({error.status_code})",
            hint=f"Set {_role_setting(role, 'api_key')} (or OPENAI_API_KEY) to a valid key.",
        )
    if isinstance(error, openai.RateLimitError):
        return ProviderRateLimitError(
            f"the {role} provider kept answering 429 (rate limited) after every retry",
            hint=f"Wait, lower the load, or raise {_role_setting(role, 'max_retries')}.",
        )
    if isinstance(error, openai.APITimeoutError):
        return ProviderTimeoutError(
            f"the {role} provider did not answer in time",
            hint=f"Raise {_role_setting(role, 'timeout_s')} or check the endpoint.",
        )
    if isinstance(error, openai.InternalServerError | openai.APIConnectionError):
        return ProviderUnavailableError(
            f"the {role} provider failed after every retry: {error}",
            hint=f"Check {_role_setting(role, 'base_url')} and that the server is up.",
        )
    if isinstance(error, openai.NotFoundError):
        return ProviderError(
            f"the {role} provider does not know the requested model or path: {error}",
            hint=f"Check {_role_setting(role, 'model')} and {_role_setting(role, 'base_url')}.",
        )
    if isinstance(error, ValidationError | OutputParserException | json.JSONDecodeError):
        return ProviderResponseError(
            f"the {role} model answered in an unexpected format: {str(error).splitlines()[0]}",
            hint="Use a model that supports structured output, or retry.",
        )
    if isinstance(error, openai.APIStatusError):
        return ProviderError(f"the {role} provider refused the request: {error}")
    raise error


def _usage(message: AIMessage | None) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))


def _cost(model: BaseChatModel, prompt: int, completion: int) -> float:
    # Offline models have no prices: their calls cost nothing.
    prompt_price = float(getattr(model, "prompt_price_per_mtok", 0.0))
    completion_price = float(getattr(model, "completion_price_per_mtok", 0.0))
    return (prompt * prompt_price + completion * completion_price) / 1_000_000


def _requests(model: BaseChatModel) -> int:
    counter = getattr(model, "request_counter", None)
    return counter.count if counter is not None else 0


def _call(model: BaseChatModel, role: str, run: Any) -> tuple[Any, AIMessage | None, int, float]:
    before = _requests(model)
    started = time.perf_counter()
    try:
        result = run()
    except Exception as error:
        raise map_provider_error(error, role=role) from error
    latency = (time.perf_counter() - started) * 1000
    retries = max(0, _requests(model) - before - 1)
    raw = result.get("raw") if isinstance(result, dict) else result
    return result, raw if isinstance(raw, AIMessage) else None, retries, latency


def invoke_chat(model: BaseChatModel, messages: Sequence[BaseMessage], *, role: str) -> ChatCall:
    """Send `messages` and return the answer text with its usage."""
    result, raw, retries, latency = _call(model, role, lambda: model.invoke(list(messages)))
    prompt, completion = _usage(raw)
    return ChatCall(
        text=raw.text if raw is not None else str(result),
        parsed=None,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=_cost(model, prompt, completion),
        retries=retries,
        latency_ms=latency,
        model=str(getattr(model, "model_name", "offline")),
        provider=model._llm_type,
    )


def invoke_structured(
    model: BaseChatModel, messages: Sequence[BaseMessage], schema: type[T], *, role: str
) -> tuple[T, ChatCall]:
    """Ask for an instance of `schema`; a malformed answer raises ProviderResponseError."""
    runnable = model.with_structured_output(schema, include_raw=True)
    result, raw, retries, latency = _call(model, role, lambda: runnable.invoke(list(messages)))
    parsed = result.get("parsed") if isinstance(result, dict) else result
    if not isinstance(parsed, schema):
        error = result.get("parsing_error") if isinstance(result, dict) else None
        raise ProviderResponseError(
            f"the {role} model did not return a valid {schema.__name__}: {error}",
            hint="Use a model that supports structured output, or retry.",
        )
    prompt, completion = _usage(raw)
    call = ChatCall(
        text=raw.text if raw is not None else parsed.model_dump_json(),
        parsed=parsed,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=_cost(model, prompt, completion),
        retries=retries,
        latency_ms=latency,
        model=str(getattr(model, "model_name", "offline")),
        provider=model._llm_type,
    )
    return parsed, call

"""Call a chat model once: typed errors, tokens, cost, retries and latency recorded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
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
from selflearn.providers._retry import RetryPolicy
from selflearn.providers._usage import RoleCall

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
    if isinstance(error, openai.InternalServerError | openai.APIConnectionError | httpx.HTTPError):
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


def _retry_after(error: Exception) -> float | None:
    """Return the wait the server asked for (Retry-After / retry-after-ms), if any."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        if name not in headers:
            continue
        try:
            return float(headers[name]) * scale
        except (TypeError, ValueError):
            continue  # an HTTP date: fall back to our own backoff
    return None


def _model_name(model: BaseChatModel) -> str:
    return str(getattr(model, "model_name", "offline"))


def _record(model: BaseChatModel, call: RoleCall) -> None:
    sink = getattr(model, "usage_sink", None)
    if sink is not None:
        sink(call)


def _run(model: BaseChatModel, role: str, attempt: Callable[[], Any]) -> tuple[Any, int, float]:
    """Run `attempt` under the model's retry policy; record a final failure, typed."""
    policy = getattr(model, "retry_policy", None) or RetryPolicy(max_retries=0)
    started = time.perf_counter()
    try:
        result, retries = policy.run(
            attempt,
            translate=lambda error: map_provider_error(error, role=role),
            retry_after=_retry_after,
        )
    except ProviderError as error:
        latency = (time.perf_counter() - started) * 1000
        failed = RoleCall(
            role, model._llm_type, _model_name(model), 0, 0, 0.0, error.retries, latency,
            error_type=error.code,
        )  # fmt: skip
        _record(model, failed)
        raise
    return result, retries, (time.perf_counter() - started) * 1000


def _finish(
    model: BaseChatModel,
    role: str,
    raw: AIMessage | None,
    text: str,
    parsed: BaseModel | None,
    retries: int,
    latency: float,
) -> ChatCall:
    prompt, completion = _usage(raw)
    call = ChatCall(
        text=text,
        parsed=parsed,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=_cost(model, prompt, completion),
        retries=retries,
        latency_ms=latency,
        model=_model_name(model),
        provider=model._llm_type,
    )
    _record(
        model,
        RoleCall(
            role, call.provider, call.model, prompt, completion, call.cost_usd, retries, latency
        ),
    )
    return call


def invoke_chat(model: BaseChatModel, messages: Sequence[BaseMessage], *, role: str) -> ChatCall:
    """Send `messages` and return the answer text with its usage (retried under the role's
    policy; empty content or a call to a tool nobody offered is a bad answer)."""

    def attempt() -> AIMessage:
        answer = model.invoke(list(messages))
        if not isinstance(answer, AIMessage):
            raise ProviderResponseError(f"the {role} model returned no chat message")
        if answer.tool_calls and not answer.text.strip():
            names = ", ".join(str(c.get("name")) for c in answer.tool_calls)
            raise ProviderResponseError(
                f"the {role} model called a tool nobody offered ({names})",
                hint="Use a chat model that answers in text, or retry.",
            )
        if not answer.text.strip():
            raise ProviderResponseError(
                f"the {role} model answered with empty content", hint="Retry, or check the model."
            )
        return answer

    raw, retries, latency = _run(model, role, attempt)
    return _finish(model, role, raw, raw.text, None, retries, latency)


def invoke_structured(
    model: BaseChatModel, messages: Sequence[BaseMessage], schema: type[T], *, role: str
) -> tuple[T, ChatCall]:
    """Ask for an instance of `schema`; a malformed answer is retried, then raises
    ProviderResponseError."""
    runnable = model.with_structured_output(schema, include_raw=True)

    def attempt() -> tuple[T, AIMessage | None]:
        result = runnable.invoke(list(messages))
        parsed = result.get("parsed") if isinstance(result, dict) else result
        if not isinstance(parsed, schema):
            error = result.get("parsing_error") if isinstance(result, dict) else None
            raise ProviderResponseError(
                f"the {role} model did not return a valid {schema.__name__}: {error}",
                hint="Use a model that supports structured output, or retry.",
            )
        raw = result.get("raw") if isinstance(result, dict) else None
        return parsed, raw if isinstance(raw, AIMessage) else None

    (parsed, raw), retries, latency = _run(model, role, attempt)
    text = raw.text if raw is not None and raw.text else parsed.model_dump_json()
    return parsed, _finish(model, role, raw, text, parsed, retries, latency)


def invoke_tools(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    tools: Sequence[dict[str, Any]],
    *,
    role: str,
) -> tuple[AIMessage, ChatCall]:
    """Offer `tools` (OpenAI tool specs) and return the answer: text, tool calls or both.

    A call to a tool that was not offered, or an answer with neither text nor a tool call,
    is a bad answer: retried under the role's policy, then ProviderResponseError.
    """
    offered = {str(t.get("function", {}).get("name")) for t in tools}
    bound = model.bind_tools(list(tools))

    def attempt() -> AIMessage:
        answer = bound.invoke(list(messages))
        if not isinstance(answer, AIMessage):
            raise ProviderResponseError(f"the {role} model returned no chat message")
        unknown = [str(c.get("name")) for c in answer.tool_calls if c.get("name") not in offered]
        if unknown:
            raise ProviderResponseError(
                f"the {role} model called a tool it was not offered ({', '.join(unknown)})",
                hint="Use a model that supports tool calling, or retry.",
            )
        if not (answer.text.strip() or answer.tool_calls or answer.invalid_tool_calls):
            raise ProviderResponseError(
                f"the {role} model answered with empty content", hint="Retry, or check the model."
            )
        return answer

    raw, retries, latency = _run(model, role, attempt)
    return raw, _finish(model, role, raw, raw.text, None, retries, latency)

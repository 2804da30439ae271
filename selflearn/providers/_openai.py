"""ChatOpenAI for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

import httpx
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from selflearn.settings import ResolvedLLMSettings


class RequestCounter:
    """Count HTTP requests a model sends, so retries can be recorded per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __call__(self, request: httpx.Request) -> None:
        with self._lock:
            self.count += 1


class CountingChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose HTTP requests are counted (the SDK retries 429/5xx with backoff).

    It also carries the role's prices (USD per million tokens), so a call's cost is known
    from the model that made it.
    """

    request_counter: RequestCounter | None = None
    prompt_price_per_mtok: float = 0.0
    completion_price_per_mtok: float = 0.0


def build_openai_chat(
    config: ResolvedLLMSettings, *, temperature: float | None = None
) -> ChatOpenAI:
    """Return a ChatOpenAI for one role, with its timeout, retries and request counter."""
    counter = RequestCounter()
    timeout = httpx.Timeout(config.timeout_s)
    # The openai SDK retries 408/409/429/5xx and connection errors with exponential backoff.
    model = CountingChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=config.api_key or SecretStr("not-needed"),
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        temperature=temperature,
        stream_usage=True,
        http_client=httpx.Client(timeout=timeout, event_hooks={"request": [counter]}),
        http_async_client=httpx.AsyncClient(
            timeout=timeout, event_hooks={"request": [_async(counter)]}
        ),
        prompt_price_per_mtok=config.prompt_price_per_mtok,
        completion_price_per_mtok=config.completion_price_per_mtok,
    )
    model.request_counter = counter
    return model


def _async(counter: RequestCounter) -> Callable[[httpx.Request], Awaitable[None]]:
    async def hook(request: httpx.Request) -> None:
        counter(request)

    return hook

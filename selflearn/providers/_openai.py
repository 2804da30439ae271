"""ChatOpenAI for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

import httpx
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from selflearn.providers._retry import RetryPolicy
from selflearn.providers._usage import UsageSink
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
    # The role's retries (`invoke_chat` runs them; the SDK's own are off) and where each
    # call's usage goes (a campaign's ledger), both carried by the model that makes calls.
    retry_policy: RetryPolicy | None = None
    usage_sink: UsageSink | None = None


def build_openai_chat(
    config: ResolvedLLMSettings, *, temperature: float | None = None, seed: int = 0
) -> ChatOpenAI:
    """Return a ChatOpenAI for one role, with its timeout, retries and request counter."""
    counter = RequestCounter()
    timeout = httpx.Timeout(config.timeout_s)
    model = CountingChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        api_key=config.api_key or SecretStr("not-needed"),
        timeout=config.timeout_s,
        # One retry loop, ours (`RetryPolicy`): it also retries answers that are not what
        # was asked, counts retries per call and draws its jitter from the seed.
        max_retries=0,
        temperature=temperature,
        stream_usage=True,
        http_client=httpx.Client(timeout=timeout, event_hooks={"request": [counter]}),
        http_async_client=httpx.AsyncClient(
            timeout=timeout, event_hooks={"request": [_async(counter)]}
        ),
        prompt_price_per_mtok=config.prompt_price_per_mtok,
        completion_price_per_mtok=config.completion_price_per_mtok,
        retry_policy=RetryPolicy(
            max_retries=config.max_retries,
            budget_s=config.retry_budget_s,
            backoff_s=config.backoff_s,
            backoff_max_s=config.backoff_max_s,
            seed=seed,
        ),
    )
    model.request_counter = counter
    return model


def _async(counter: RequestCounter) -> Callable[[httpx.Request], Awaitable[None]]:
    async def hook(request: httpx.Request) -> None:
        counter(request)

    return hook

"""The real langchain-openai client against the loopback test server: answers and faults.

Every fault the server can serve is retried under the role's policy and, when it persists,
ends as the project's typed error with the retries it took.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from selflearn.errors import (
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from selflearn.providers import (
    OpenAIEmbedder,
    RetryPolicy,
    RoleCall,
    chat_model,
    invoke_chat,
    invoke_structured,
)
from selflearn.settings import EmbeddingSettings
from tests.factories import on_server
from tests.llm_server import FAULTS, ChatRequest, LLMServer, Reply

pytestmark = pytest.mark.timeout(120)


class Verdict(BaseModel):
    label: str
    score: float


def answer(request: ChatRequest) -> object:
    if request.schema:
        return Verdict(label="correct", score=0.9)
    if request.tools:
        return Reply(tool_calls=[("status", {})])
    return f"you said: {request.last()}"


@pytest.fixture
def server(llm_server: LLMServer) -> LLMServer:
    llm_server.handler = answer
    llm_server.slow_s = 1.0
    return llm_server


@pytest.fixture
def judge(settings, server):
    return chat_model("judge", on_server(settings, server.base_url, timeout_s=0.4))


SAY = [HumanMessage("hello")]


def test_chat_completions_answer_with_usage(judge, server):
    call = invoke_chat(judge, SAY, role="judge")
    assert call.text == "you said: hello"
    assert (call.prompt_tokens, call.completion_tokens, call.retries) == (10, 5, 0)
    assert server.requests[0].model == "judge-model"


def test_streaming_arrives_in_pieces_with_usage(judge):
    chunks = list(judge.stream(SAY))
    assert len([c for c in chunks if c.content]) > 1
    assert "".join(str(c.content) for c in chunks) == "you said: hello"
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage and usage[-1]["input_tokens"] == 10


def test_tool_calls_reach_the_client(judge):
    bound = judge.bind_tools([{"type": "function", "function": {"name": "status",
                              "parameters": {"type": "object", "properties": {}}}}])  # fmt: skip
    message = bound.invoke(SAY)
    assert [c["name"] for c in message.tool_calls] == ["status"]


def test_json_schema_structured_output_is_parsed(judge, server):
    parsed, call = invoke_structured(judge, SAY, Verdict, role="judge")
    assert parsed == Verdict(label="correct", score=0.9)
    assert server.requests[0].schema["name"] == "Verdict"


def test_embeddings_are_served(settings, server):
    server.embedding_dim = 64
    config = EmbeddingSettings(
        provider="openai", model="embed-model", dimension=64, base_url=server.base_url,
        api_key="k",
    )  # fmt: skip
    embedder = OpenAIEmbedder(settings.model_copy(update={"embedding": config}))
    vectors = embedder.embed(["a", "b"])
    assert len(vectors) == 2 and len(vectors[0]) == 64
    assert server.embedding_requests[0]["model"] == "embed-model"


EXPECTED = {
    "rate_limit": ProviderRateLimitError,
    "rate_limit_retry_after": ProviderRateLimitError,
    "server_error": ProviderUnavailableError,
    "unavailable": ProviderUnavailableError,
    "timeout": ProviderTimeoutError,
    "reset": ProviderUnavailableError,
    "truncated_json": ProviderResponseError,
    "invalid_json": ProviderResponseError,
    "schema_break": ProviderResponseError,
    "unknown_tool": ProviderResponseError,
    "empty": ProviderResponseError,
}


def _ask(model, kind: str):
    if kind == "schema_break":
        return invoke_structured(model, SAY, Verdict, role="judge")[1]
    return invoke_chat(model, SAY, role="judge")


@pytest.mark.parametrize("kind", FAULTS)
def test_one_fault_is_retried_away(judge, server, kind):
    server.fail(kind)
    call = _ask(judge, kind)
    assert call.retries == 1
    assert server.faults_served[kind] == 1 and len(server.requests) == 2


@pytest.mark.parametrize("kind", FAULTS)
def test_a_lasting_fault_ends_typed_with_its_retries(settings, server, kind):
    model = chat_model(
        "judge", on_server(settings, server.base_url, timeout_s=0.4, max_retries=2)
    )
    seen: list[RoleCall] = []
    model.usage_sink = seen.append
    server.fail(kind, times=10)
    with pytest.raises(ProviderError) as raised:
        _ask(model, kind)
    assert type(raised.value) is EXPECTED[kind]
    assert raised.value.retries == 2 and len(server.requests) == 3
    assert raised.value.hint  # every typed error says what to do
    assert [(c.role, c.error_type, c.retries) for c in seen] == [
        ("judge", raised.value.code, 2)
    ]


def test_retry_after_is_honoured_and_jitter_is_seeded():
    waits: list[float] = []
    policy = RetryPolicy(max_retries=3, backoff_s=0.01, backoff_max_s=0.02, seed=7)
    policy.sleep = waits.append

    class Limited(Exception):
        pass

    failures = iter([Limited(), Limited()])

    def attempt() -> str:
        error = next(failures, None)
        if error is not None:
            raise error
        return "ok"

    result, retries = policy.run(
        attempt, translate=lambda e: ProviderRateLimitError("429"), retry_after=lambda e: 0.3
    )
    assert (result, retries) == ("ok", 2)
    assert waits == [0.3, 0.3]  # the server's wait beats a shorter backoff
    same = RetryPolicy(seed=7), RetryPolicy(seed=7), RetryPolicy(seed=8)
    delays = [[p.delay(n, None) for n in range(4)] for p in same]
    assert delays[0] == delays[1] != delays[2]


def test_the_budget_stops_retries_before_the_count_does():
    policy = RetryPolicy(max_retries=10, budget_s=0.05, backoff_s=0.04, backoff_max_s=0.04)
    calls = []

    def attempt() -> str:
        calls.append(1)
        raise RuntimeError("down")

    with pytest.raises(ProviderUnavailableError) as raised:
        policy.run(
            attempt,
            translate=lambda e: ProviderUnavailableError("down"),
            retry_after=lambda e: None,
        )
    assert raised.value.retries < 3 and len(calls) == raised.value.retries + 1


def test_random_faults_are_seeded_by_request_not_by_timing(llm_server):
    def fates(seed: int) -> list[str | None]:
        llm_server.heal()
        llm_server._seen.clear()
        llm_server.fail_randomly(0.5, seed=seed)
        return [llm_server._fault_for("m", f"body {i}".encode()) for i in range(40)]

    first, again, other = fates(3), fates(3), fates(4)
    assert first == again != other
    assert 5 < sum(f is not None for f in first) < 35

"""An OpenAI-compatible server on loopback, programmable per test to answer or to fail.

It serves `POST /v1/chat/completions` (plain, streamed, with tool calls and JSON-schema
structured output) and `POST /v1/embeddings`, runs uvicorn in a thread on 127.0.0.1 with a
free port, and records every request it received. The real langchain-openai client talks to
it over HTTP, so retries, timeouts and parsing run as they would against a real provider.

A test programs the answers with handlers (one per model name, or one for all) and the
failures with `fail` (the next N requests) or `fail_randomly` (a seeded share of requests;
a request's fate depends on its body and how often that body was sent, not on timing, so
the same run fails the same way). Respx stays for unit tests of one call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.llm_wire import Reset, chunks, completion, vector

#: Every way the server can fail a request.
FAULTS: tuple[str, ...] = (
    "rate_limit",  # 429 without Retry-After
    "rate_limit_retry_after",  # 429 with Retry-After
    "server_error",  # 500
    "unavailable",  # 503
    "timeout",  # answers only after the client gave up
    "reset",  # the connection closes in the middle of the answer
    "truncated_json",  # 200 with half a JSON body
    "invalid_json",  # 200 with an HTML error page
    "schema_break",  # structured output that breaks its schema
    "unknown_tool",  # a call to a tool nobody offered
    "empty",  # no content, no tool call
)


@dataclass
class ChatRequest:
    """One chat completion request as the server received it."""

    model: str
    messages: list[dict[str, Any]]
    body: dict[str, Any]
    fault: str | None = None

    @property
    def schema(self) -> dict[str, Any] | None:
        """Return the JSON schema asked for (json_schema response format), if any."""
        fmt = self.body.get("response_format") or {}
        return fmt.get("json_schema") if fmt.get("type") == "json_schema" else None

    @property
    def tools(self) -> list[dict[str, Any]]:
        """Return the tools offered with the request."""
        return list(self.body.get("tools") or [])

    def last(self, role: str = "user") -> str:
        """Return the text of the last message of `role`."""
        for message in reversed(self.messages):
            if message.get("role") == role:
                content = message.get("content") or ""
                if isinstance(content, list):
                    return "".join(part.get("text", "") for part in content)
                return str(content)
        return ""


@dataclass
class Reply:
    """What a handler answers: text, tool calls, and the usage to report."""

    content: str = ""
    tool_calls: Sequence[tuple[str, dict[str, Any]]] = ()
    prompt_tokens: int = 10
    completion_tokens: int = 5


Answer = Reply | str | dict[str, Any] | BaseModel
Handler = Callable[[ChatRequest], Answer]


def echo(request: ChatRequest) -> Answer:
    """Answer with the last user message (the default handler)."""
    return request.last()


def _reply(answer: Answer) -> Reply:
    if isinstance(answer, Reply):
        return answer
    if isinstance(answer, BaseModel):
        return Reply(content=answer.model_dump_json())
    if isinstance(answer, dict):
        return Reply(content=json.dumps(answer))
    return Reply(content=str(answer))


@dataclass
class _RandomFaults:
    rate: float
    kinds: tuple[str, ...]
    seed: int
    models: frozenset[str] | None


class LLMServer:
    """The test server: start it, point a role's base_url at `base_url`, program it."""

    def __init__(
        self,
        handler: Handler = echo,
        *,
        handlers: dict[str, Handler] | None = None,
        slow_s: float = 1.5,
        retry_after_s: float = 0.05,
        embedding_dim: int = 384,
    ) -> None:
        self.handler = handler
        self.handlers = dict(handlers or {})
        self.slow_s = slow_s
        self.retry_after_s = retry_after_s
        self.embedding_dim = embedding_dim
        self.requests: list[ChatRequest] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self.faults_served: Counter[str] = Counter()
        self._queued: list[tuple[str, str | None]] = []
        self._random: _RandomFaults | None = None
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- programming ---------------------------------------------------------------------

    def fail(self, kind: str, *, times: int = 1, model: str | None = None) -> None:
        """Fail the next `times` chat requests (of `model`, or any) in the way `kind`."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._queued += [(kind, model)] * times

    def fail_randomly(
        self,
        rate: float,
        *,
        kinds: Sequence[str] = FAULTS,
        seed: int = 0,
        models: Sequence[str] | None = None,
    ) -> None:
        """Fail a seeded share `rate` of chat requests, each in one of `kinds`."""
        unknown = set(kinds) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        self._random = _RandomFaults(
            rate, tuple(kinds), seed, frozenset(models) if models is not None else None
        )

    def heal(self) -> None:
        """Stop failing: clear queued and random faults."""
        with self._lock:
            self._queued.clear()
            self._random = None

    @property
    def base_url(self) -> str:
        """Return the OpenAI base URL of the server (with /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def models_called(self) -> Counter[str]:
        """Return how many chat requests each model received."""
        return Counter(r.model for r in self.requests)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> LLMServer:
        """Serve on a free loopback port in a background thread."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Small answers written in two parts (headers, body) must not wait for a delayed ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            ]
        )
        config = uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- faults --------------------------------------------------------------------------

    def _fault_for(self, model: str, raw: bytes) -> str | None:
        with self._lock:
            for i, (kind, only) in enumerate(self._queued):
                if only is None or only == model:
                    del self._queued[i]
                    return kind
            plan = self._random
            if plan is None or (plan.models is not None and model not in plan.models):
                return None
            key = hashlib.sha256(raw).hexdigest()
            attempt = self._seen[key]
            self._seen[key] += 1
        draw = hashlib.sha256(f"{plan.seed}:{key}:{attempt}".encode()).digest()
        if int.from_bytes(draw[:4], "big") / 2**32 >= plan.rate:
            return None
        return plan.kinds[int.from_bytes(draw[4:8], "big") % len(plan.kinds)]

    # -- routes --------------------------------------------------------------------------

    async def _chat(self, http: Request) -> Response:
        raw = await http.body()
        body = json.loads(raw)
        model = str(body.get("model", ""))
        request = ChatRequest(model=model, messages=list(body.get("messages", [])), body=body)
        request.fault = fault = self._fault_for(model, raw)
        with self._lock:
            self.requests.append(request)
            if fault:
                self.faults_served[fault] += 1
        if fault in ("rate_limit", "rate_limit_retry_after"):
            headers = {"retry-after": str(self.retry_after_s)} if fault.endswith("after") else {}
            error = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}
            return JSONResponse(error, status_code=429, headers=headers)
        if fault in ("server_error", "unavailable"):
            status = 500 if fault == "server_error" else 503
            return JSONResponse({"error": {"message": "upstream failed"}}, status_code=status)
        if fault == "timeout":
            await asyncio.sleep(self.slow_s)
        if fault == "invalid_json":
            page = b"<html><body>502 Bad Gateway</body></html>"
            return Response(page, media_type="application/json")
        handler = self.handlers.get(model, self.handler)
        reply = await asyncio.to_thread(lambda: _reply(handler(request)))
        reply = self._spoil(reply, request)
        if body.get("stream"):
            if fault == "reset":
                return Reset(b'data: {"id": "chatcmpl-x", "choices": [')
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(chunks(model, reply, usage), media_type="text/event-stream")
        payload = json.dumps(completion(model, reply)).encode()
        if fault == "reset":
            return Reset(payload[: len(payload) // 2], declared=len(payload))
        if fault == "truncated_json":
            return Response(payload[: len(payload) // 2], media_type="application/json")
        return Response(payload, media_type="application/json")

    def _spoil(self, reply: Reply, request: ChatRequest) -> Reply:
        fault = request.fault
        if fault == "schema_break":
            return Reply(content='{"unexpected": "shape"}' if request.schema else "")
        if fault == "unknown_tool":
            return Reply(tool_calls=[("no_such_tool", {"x": 1})])
        if fault == "empty":
            return Reply(content="")
        return reply

    async def _embeddings(self, http: Request) -> Response:
        body = json.loads(await http.body())
        with self._lock:
            self.embedding_requests.append(body)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dim = int(body.get("dimensions") or self.embedding_dim)
        data = [
            {"object": "embedding", "index": i, "embedding": vector(str(text), dim)}
            for i, text in enumerate(texts)
        ]
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return JSONResponse(
            {"object": "list", "data": data, "model": body.get("model"), "usage": usage}
        )

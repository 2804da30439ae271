"""What the test server sends on the wire: completions, stream chunks, resets, embeddings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from starlette.responses import Response


class WireReply(Protocol):
    """The parts of a handler's reply the wire format needs."""

    content: str
    tool_calls: Sequence[tuple[str, dict[str, Any]]]
    prompt_tokens: int
    completion_tokens: int


class Reset(Response):
    """Send part of an answer, then drop the connection (the client sees a reset)."""

    def __init__(self, part: bytes, *, declared: int | None = None) -> None:
        super().__init__()
        self.part, self.declared = part, declared

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json")]
        if self.declared is not None:
            headers.append((b"content-length", str(self.declared).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.part, "more_body": True})
        raise ConnectionResetError("the test server dropped the connection")


def tool_calls(reply: WireReply) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(reply.tool_calls)
    ]


def completion(model: str, reply: WireReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = tool_calls(reply)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def chunks(model: str, reply: WireReply, usage: bool) -> Iterator[bytes]:
    def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
        chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0}
        data = {**chunk, "model": model, "choices": choices, **extra}
        return f"data: {json.dumps(data)}\n\n".encode()

    yield event([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
    text = reply.content
    for start in range(0, len(text), 8):  # several pieces, as a real stream sends them
        yield event([{"index": 0, "delta": {"content": text[start : start + 8]}}])
    for i, call in enumerate(tool_calls(reply)):
        yield event([{"index": 0, "delta": {"tool_calls": [{"index": i, **call}]}}])
    finish = "tool_calls" if reply.tool_calls else "stop"
    yield event([{"index": 0, "delta": {}, "finish_reason": finish}])
    if usage:
        total = reply.prompt_tokens + reply.completion_tokens
        counts = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": total,
        }
        yield event([], usage=counts)
    yield b"data: [DONE]\n\n"


def vector(text: str, dim: int) -> list[float]:
    digest = b""
    counter = 0
    while len(digest) < dim:
        digest += hashlib.sha256(f"{counter}:{text}".encode()).digest()
        counter += 1
    raw = [b / 255.0 - 0.5 for b in digest[:dim]]
    norm = sum(v * v for v in raw) ** 0.5 or 1.0
    return [v / norm for v in raw]

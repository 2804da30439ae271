"""The Student as an external client sees it: one interface, in process or over HTTP.

`StudentHTTPClient` has the methods of `MemoryService` that callers use (chat_turn, search,
add/list/delete memories), takes the same arguments, returns the same pydantic types and
raises the same error classes, so the User Emulator cannot tell the two apart.
`connect_student(url)` returns whichever one `url` asks for.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from selflearn.errors import InvalidInputError, SelflearnError
from selflearn.maas import (
    AddedMemory,
    MemoryInput,
    MemoryRecord,
    SearchResult,
    TurnResult,
)
from selflearn.web._errors import error_from_envelope
from selflearn.web._schemas import (
    AddMemoriesResponse,
    DeleteMemoriesResponse,
    FeedbackResponse,
    Health,
    MemoryList,
)
from selflearn.web.app import API_PREFIX

__all__ = [
    "StudentHTTPClient",
    "StudentUnavailableError",
    "connect_student",
    "wait_until_healthy",
]

_Model = TypeVar("_Model", bound=BaseModel)


class StudentUnavailableError(SelflearnError):
    """The Student's HTTP server could not be reached or did not answer in time."""

    code = "student_unavailable"
    exit_code = 5
    default_hint = "Check that `selflearn serve` runs at that address, or omit the URL."


def _encode(payload: Mapping[str, Any]) -> bytes:
    """Serialise a request body as UTF-8 JSON.

    Text the caller cannot encode (lone surrogates) is sent \\u-escaped instead, so the
    server refuses it with the same message the in-process service gives.
    """
    try:
        data = to_jsonable_python(payload)
        try:
            return json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(data, allow_nan=False).encode("ascii")
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"the request cannot be sent as JSON: {error}",
            hint="Pass text, numbers, lists, mappings and datetimes only (no NaN).",
        ) from None


def _item(raw: MemoryInput | Mapping[str, Any] | str | bytes, position: int) -> Any:
    if isinstance(raw, MemoryInput):
        return raw.model_dump(mode="json", exclude_defaults=True)
    if isinstance(raw, bytes | bytearray):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"item {position} text is not valid UTF-8",
                hint=f"Send item {position} text as UTF-8 text.",
            ) from None
    return raw


def _selection(
    version_id: uuid.UUID | str | None,
    experiment_id: str | None,
    variant: str | None,
    params: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "version_id": None if version_id is None else str(version_id),
        "experiment_id": experiment_id,
        "variant": variant,
        "params": None if params is None else dict(params),
    }


class StudentHTTPClient:
    """Talk to a Student served by `selflearn serve` (or any ASGI app through `transport`).

    `http` may be an existing `httpx.Client` (for example FastAPI's `TestClient`); it is
    used as is and not closed by `close()`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30,
        transport: httpx.BaseTransport | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        """`token` is a service (or admin) token: every route but health needs one."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=httpx.Timeout(timeout), transport=transport)
        self._timeout = timeout

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> StudentHTTPClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def flush(self) -> None:
        """Do nothing: the server writes its own telemetry (here for parity with the service)."""

    def close(self) -> None:
        """Close the connection pool (unless the `http` client was given)."""
        if self._owns_http:
            self._http.close()

    # -- HTTP ---------------------------------------------------------------------------

    def _url(self, user_id: str | None, tail: str) -> str:
        if user_id is None:
            return f"{self.base_url}{API_PREFIX}/{tail}"
        if not isinstance(user_id, str):
            raise InvalidInputError(
                f"user_id must be text, got {type(user_id).__name__}",
                hint="Send user_id as a string.",
            )
        # Every reserved character is escaped: user ids may hold '/', '?', '#' or '%'.
        return f"{self.base_url}{API_PREFIX}/users/{quote(user_id, safe='')}/{tail}"

    def _call(
        self,
        method: str,
        url: str,
        model: type[_Model],
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> _Model:
        headers = {"accept": "application/json"}
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        content = None
        if body is not None:
            content = _encode(body)
            headers["content-type"] = "application/json"
        try:
            response = self._http.request(
                method,
                url,
                content=content,
                params=query,
                headers=headers,
            )
        except httpx.TimeoutException:
            raise StudentUnavailableError(
                f"the Student at {self.base_url} did not answer within {self._timeout} s",
            ) from None
        except httpx.TransportError as error:
            raise StudentUnavailableError(
                f"cannot reach the Student at {self.base_url}: {error}"
            ) from None
        if response.is_error:
            try:
                payload: object = response.json()
            except ValueError:
                payload = {"error": {"message": f"HTTP {response.status_code}: {response.text}"}}
            raise error_from_envelope(response.status_code, payload)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise StudentUnavailableError(
                f"the server at {self.base_url} answered {method} {url} with an unexpected "
                f"body: {error.errors()[0]['msg']}",
                hint="Check that the URL points at a SELFLEARN Student of the same version.",
            ) from None

    # -- the Student's methods ----------------------------------------------------------

    def add_memories(
        self,
        user_id: str,
        items: Iterable[MemoryInput | Mapping[str, Any] | str],
        *,
        now: datetime | None = None,
        merge_duplicates: bool = True,
    ) -> list[AddedMemory]:
        """Store memories for `user_id`, all or none; near-duplicates merge into one memory."""
        if isinstance(items, str | bytes | Mapping):
            raise InvalidInputError(
                "items must be a list of memories", hint="Wrap a single memory in a list."
            )
        body = {
            "items": [_item(raw, i) for i, raw in enumerate(items)],
            "now": now,
            "merge_duplicates": merge_duplicates,
        }
        url = self._url(user_id, "memories")
        return self._call("POST", url, AddMemoriesResponse, body=body).items

    def list_memories(
        self, user_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[MemoryRecord]:
        """Return the memories of `user_id`, newest first (empty for an unknown user)."""
        query: dict[str, Any] = {"offset": offset}
        if limit is not None:
            query["limit"] = limit
        url = self._url(user_id, "memories")
        return self._call("GET", url, MemoryList, query=query).items

    def delete_memories(self, user_id: str, ids: Sequence[uuid.UUID | str] | None = None) -> int:
        """Delete all memories of `user_id`, or the listed ones (all of which must be theirs)."""
        if ids is not None and not ids:
            return 0  # nothing listed, nothing deleted (an empty query would mean "all")
        query = None if ids is None else {"ids": [str(i) for i in ids]}
        url = self._url(user_id, "memories")
        return self._call("DELETE", url, DeleteMemoriesResponse, query=query).deleted

    def search(
        self,
        user_id: str,
        query: str,
        *,
        params: Mapping[str, Any] | None = None,
        version_id: uuid.UUID | str | None = None,
        experiment_id: str | None = None,
        variant: str | None = None,
        now: datetime | None = None,
    ) -> SearchResult:
        """Return the memories of `user_id` that best match `query` under one parameter set."""
        selection = _selection(version_id, experiment_id, variant, params)
        body = {"query": query, "now": now, **selection}
        return self._call("POST", self._url(user_id, "search"), SearchResult, body=body)

    def chat_turn(
        self,
        user_id: str,
        message: str,
        *,
        version_id: uuid.UUID | str | None = None,
        experiment_id: str | None = None,
        variant: str | None = None,
        cycle_type: str = "online",
        episode_id: str | None = None,
        now: datetime | None = None,
        params: Mapping[str, Any] | None = None,
        speaker: str | None = None,
        relevant_turn_ids: Collection[str] | None = None,
        turn_id: str | None = None,
    ) -> TurnResult:
        """Answer one user message from memory, remember it, and record telemetry."""
        body = {
            "message": message,
            "cycle_type": cycle_type,
            "episode_id": episode_id,
            "now": now,
            "speaker": speaker,
            "turn_id": turn_id,
            "relevant_turn_ids": None if relevant_turn_ids is None else list(relevant_turn_ids),
            **_selection(version_id, experiment_id, variant, params),
        }
        return self._call("POST", self._url(user_id, "chat"), TurnResult, body=body)

    def record_feedback(
        self, user_id: str, memory_ids: Sequence[uuid.UUID | str], *, helpful: bool
    ) -> int:
        """Record the user's verdict on an answer for the memories it used."""
        if not memory_ids:
            return 0
        body = {"memory_ids": [str(i) for i in memory_ids], "helpful": helpful}
        return self._call(
            "POST", self._url(user_id, "feedback"), FeedbackResponse, body=body
        ).credited

    def health(self) -> dict[str, str]:
        """Return the server's health report (raises if it or its database is down)."""
        return self._call("GET", self._url(None, "health"), Health).model_dump()


def connect_student(url: str, token: str | None = None) -> StudentHTTPClient:
    """Return an HTTP client of the Student served at `url` (checked to be an HTTP URL)."""
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"{url!r} is not an HTTP URL", hint="Use e.g. http://127.0.0.1:8080."
        )
    return StudentHTTPClient(url, token=token)


def wait_until_healthy(
    url: str, *, timeout_s: float = 60.0, alive: Callable[[], bool] | None = None
) -> None:
    """Wait until the app served at `url` answers its health route with 200.

    `alive` tells whether the server process still runs: a server that exited stops the
    wait at once. Raises `StudentUnavailableError` when it exits or `timeout_s` passes.
    """
    deadline = time.monotonic() + timeout_s
    health = f"{url.rstrip('/')}{API_PREFIX}/health"
    while True:
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if alive is not None and not alive():
            raise StudentUnavailableError(f"the server at {url} exited before it was healthy")
        if time.monotonic() > deadline:
            raise StudentUnavailableError(f"the server at {url} was not healthy in {timeout_s:g} s")
        time.sleep(0.1)

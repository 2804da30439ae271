"""Input checks of the memory service: clear InvalidInputError, never a database traceback."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from selflearn.errors import InvalidInputError
from selflearn.maas._types import MemoryInput

MAX_QUERY_BYTES = 16 * 1024
MAX_MEMORY_BYTES = 64 * 1024
MAX_USER_ID_CHARS = 200
MAX_BATCH = 10_000


def check_text(value: object, *, field: str, max_bytes: int) -> str:
    """Return `value` as clean text, or raise naming `field` and what is wrong with it."""
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"{field} is not valid UTF-8", hint=f"Send {field} as UTF-8 text."
            ) from None
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{field} must be text, got {type(value).__name__}", hint=f"Send {field} as a string."
        )
    if "\x00" in value:
        raise InvalidInputError(
            f"{field} contains a NUL character", hint=f"Remove NUL (\\x00) characters from {field}."
        )
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field} contains characters that are not valid UTF-8 (lone surrogates)",
            hint=f"Send {field} as well-formed UTF-8 text.",
        ) from None
    if not value.strip():
        raise InvalidInputError(f"{field} is empty", hint=f"Give a non-empty {field}.")
    if size > max_bytes:
        raise InvalidInputError(
            f"{field} is {size} bytes, more than the limit of {max_bytes}",
            hint=f"Shorten {field} to at most {max_bytes // 1024} KB.",
        )
    return value


def check_user_id(value: object) -> str:
    """Return a usable user id, or raise."""
    user_id = check_text(value, field="user_id", max_bytes=4 * MAX_USER_ID_CHARS).strip()
    if len(user_id) > MAX_USER_ID_CHARS:
        raise InvalidInputError(
            f"user_id is longer than {MAX_USER_ID_CHARS} characters",
            hint=f"Use a user id of at most {MAX_USER_ID_CHARS} characters.",
        )
    return user_id


def check_query(value: object) -> str:
    """Return a usable query (non-empty, at most 16 KB of UTF-8, no NUL)."""
    return check_text(value, field="query", max_bytes=MAX_QUERY_BYTES)


def as_aware(moment: datetime | None, *, default: datetime) -> datetime:
    """Return `moment` (or `default`) as an aware datetime; naive values are taken as UTC."""
    value = default if moment is None else moment
    if not isinstance(value, datetime):
        raise InvalidInputError(
            f"expected a datetime, got {type(value).__name__}",
            hint="Pass a timezone-aware datetime.",
        )
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_items(items: Iterable[MemoryInput | Mapping[str, Any] | str]) -> list[MemoryInput]:
    """Return validated memory inputs; the whole batch is refused if any item is bad."""
    if isinstance(items, str | bytes | Mapping):
        raise InvalidInputError(
            "items must be a list of memories", hint="Wrap a single memory in a list."
        )
    checked: list[MemoryInput] = []
    for position, raw in enumerate(items):
        if len(checked) >= MAX_BATCH:
            raise InvalidInputError(
                f"a batch holds at most {MAX_BATCH} memories", hint="Split the batch."
            )
        try:
            if isinstance(raw, MemoryInput):
                item = raw.model_copy(deep=True)
            elif isinstance(raw, str | bytes):
                field = f"item {position} text"
                item = MemoryInput(text=check_text(raw, field=field, max_bytes=MAX_MEMORY_BYTES))
            else:
                item = MemoryInput.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInputError(
                f"item {position}: {where}: {first['msg']}",
                hint="Each memory needs `text` and may have speaker, occurred_at, "
                "source_turn_ids, tags and provenance.",
            ) from None
        item.text = check_text(item.text, field=f"item {position} text", max_bytes=MAX_MEMORY_BYTES)
        for name, values in (("source_turn_ids", item.source_turn_ids), ("tags", item.tags)):
            for value in values:
                check_text(value, field=f"item {position} {name}", max_bytes=1024)
        if item.speaker is not None:
            check_text(item.speaker, field=f"item {position} speaker", max_bytes=800)
        checked.append(item)
    if not checked:
        raise InvalidInputError("no memories given", hint="Send at least one memory.")
    return checked


def check_ids(ids: Sequence[object]) -> list[uuid.UUID]:
    """Return memory ids as UUIDs, or raise naming the first malformed one."""
    result: list[uuid.UUID] = []
    for raw in ids:
        try:
            result.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw)))
        except ValueError:
            raise InvalidInputError(
                f"{raw!r} is not a memory id", hint="Memory ids are UUIDs."
            ) from None
    return result

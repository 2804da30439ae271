"""The assembler: ranked memories into a numbered context that fits `context.max_tokens`.

Tokens are counted offline with `selflearn.providers.count_tokens` (every word one
token and every other visible character one more; within about 15 % of BPE tokenizers on
English chat), because tokenizer files cannot be downloaded at run time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from selflearn.maas._text import count_tokens, truncate_tokens

__all__ = ["AssembledContext", "ContextLine", "assemble_context", "format_line", "parse_context"]

NO_MEMORIES = "(no memories)"
_LINE = re.compile(r"^\[(\d+)\] \((\d{4}-\d{2}-\d{2})(?:, ([^)]*))?\) (.*)$")


class ContextSource(Protocol):
    """Anything with a memory's text, speaker and time (a retrieval candidate, a result)."""

    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def occurred_at(self) -> datetime: ...


@dataclass(frozen=True)
class ContextLine:
    """One memory as the responder sees it."""

    number: int
    date: str
    speaker: str | None
    text: str


@dataclass(frozen=True)
class AssembledContext:
    """The context text, which candidates made it in, and its token count."""

    text: str
    lines: tuple[ContextLine, ...]
    included: tuple[int, ...]
    tokens: int


def format_line(line: ContextLine) -> str:
    """Render one memory line: `[n] (YYYY-MM-DD, speaker) text`."""
    who = f", {line.speaker}" if line.speaker else ""
    body = " ".join(line.text.split())
    return f"[{line.number}] ({line.date}{who}) {body}"


def assemble_context(candidates: Sequence[ContextSource], *, max_tokens: int) -> AssembledContext:
    """Take memories in rank order while they fit the budget; skip the ones that do not.

    A memory too long for what is left is skipped (a shorter one further down may still
    fit); the first memory alone is cut to the budget rather than leaving the context empty.
    """
    lines: list[ContextLine] = []
    rendered: list[str] = []
    included: list[int] = []
    used = 0
    for index, candidate in enumerate(candidates):
        line = ContextLine(
            number=len(lines) + 1,
            date=candidate.occurred_at.date().isoformat(),
            speaker=candidate.speaker,
            text=candidate.text,
        )
        text = format_line(line)
        # Lines are joined by newlines, which the counter does not count.
        cost = count_tokens(text)
        if used + cost > max_tokens:
            if lines:
                continue
            text = truncate_tokens(text, max_tokens)
            cost = count_tokens(text)
            if not text:
                break
            line = ContextLine(line.number, line.date, line.speaker, text.split(") ", 1)[-1])
        lines.append(line)
        rendered.append(text)
        included.append(index)
        used += cost
    body = "\n".join(rendered)
    return AssembledContext(
        text=body, lines=tuple(lines), included=tuple(included), tokens=count_tokens(body)
    )


def parse_context(text: str) -> list[ContextLine]:
    """Read back the lines `format_line` wrote (the offline responder works from the prompt)."""
    lines: list[ContextLine] = []
    for raw in text.splitlines():
        match = _LINE.match(raw.strip())
        if match:
            number, date, speaker, body = match.groups()
            lines.append(ContextLine(int(number), date, speaker or None, body))
    return lines

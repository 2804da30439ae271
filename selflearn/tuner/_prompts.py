"""Generated prompt versions: validated and registered by the Tuner before any A/B uses one.

The Teacher drafts a prompt (a title and the system text); the Tuner checks it — the
abstention sentence every responder must be able to say is in it verbatim, no template
placeholders are left, the length is sane, the same text is not registered twice — and
stores it under a new name `gen-<n>-<title words>` in `prompt_versions`. A parameter
version may name a generated prompt only once it is registered (rule
`unregistered_prompt`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selflearn.errors import InvalidInputError, RuleViolation
from selflearn.space import ABSTENTION_PHRASE, GENERATED_PROMPT
from selflearn.store.models import PromptVersionRow

PROMPT_PARAM = "responder.system_prompt_version"
MIN_CHARS, MAX_CHARS = 80, 4000


class PromptDraft(BaseModel):
    """A system prompt the Teacher proposes, and why."""

    title: str = Field(min_length=3, max_length=120, description="what the prompt asks for")
    system: str = Field(description="the full system prompt text")
    rationale: str = Field(default="", description="why it should hallucinate less")


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())[:4]
    return "-".join(words)


def check_draft(draft: PromptDraft) -> None:
    """Raise InvalidInputError naming what makes `draft` unusable as a responder prompt."""
    text = draft.system.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise InvalidInputError(
            f"a prompt must have {MIN_CHARS}-{MAX_CHARS} characters, not {len(text)}",
            hint="Write the whole instruction, briefly.",
        )
    if ABSTENTION_PHRASE not in text:
        raise InvalidInputError(
            "the prompt does not contain the abstention sentence verbatim",
            hint=f'Include exactly: "{ABSTENTION_PHRASE}"',
        )
    if re.search(r"\{[^}]*\}|<[A-Z_]+>", text):
        raise InvalidInputError(
            "the prompt still contains a template placeholder", hint="Fill it in or drop it."
        )


def register_prompt(
    draft: PromptDraft,
    *,
    session: Session,
    now: datetime,
    parent: str | None,
    initiated_by: str,
) -> str:
    """Validate `draft` and register it; return its new version name (or the existing one
    when the same text is registered already)."""
    check_draft(draft)
    text = draft.system.strip()
    same = session.scalar(select(PromptVersionRow).where(PromptVersionRow.system == text))
    if same is not None:
        return same.version
    number = (session.scalar(select(func.count()).select_from(PromptVersionRow)) or 0) + 1
    name = f"gen-{number}-{_slug(draft.title)}".rstrip("-")[:64]
    session.add(
        PromptVersionRow(
            version=name,
            title=draft.title.strip(),
            system=text,
            parent=parent,
            reason=draft.rationale.strip(),
            created_by=initiated_by,
            created_at=now,
        )
    )
    session.flush()
    return name


def registered_prompts(*, session: Session) -> dict[str, PromptVersionRow]:
    """Return every registered generated prompt by version."""
    rows = session.scalars(select(PromptVersionRow).order_by(PromptVersionRow.created_at))
    return {row.version: row for row in rows}


def check_prompts_registered(params: Mapping[str, Any], *, session: Session) -> None:
    """Refuse params naming a generated prompt that was never registered."""
    value = params.get(PROMPT_PARAM)
    if not isinstance(value, str) or not GENERATED_PROMPT.match(value):
        return
    if session.get(PromptVersionRow, value) is None:
        raise RuleViolation(
            f"prompt version {value!r} is not registered",
            rule="unregistered_prompt",
            hint="Register the Teacher's draft with the Tuner (register_prompt) first.",
        )

"""Generated responder prompts: immutable rows the Tuner registers before any A/B uses them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at


class PromptVersionRow(Base):
    """One generated system prompt: its name, text, the prompt it came from and why."""

    __tablename__ = "prompt_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(nullable=False)
    system: Mapped[str] = mapped_column(nullable=False, unique=True)
    parent: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = created_at()

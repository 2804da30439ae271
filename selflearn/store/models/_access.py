"""Who may use the owner's console and the APIs: hashed tokens with a role, console sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from selflearn.store.models._base import Base, created_at, uuid_pk

#: viewer reads; operator also chats, runs campaigns and decides proposals; admin also
#: activates, rolls back and manages tokens; service is the Student's caller.
ROLES = ("viewer", "operator", "admin", "service")


class ApiToken(Base):
    """One API token: only its SHA-256 is kept, with a role and a name for the owner."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("role IN ('viewer','operator','admin','service')", name="role"),
        Index("uq_api_tokens_hash", "token_hash", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The first characters of the token, so the owner can tell tokens apart in a list.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = created_at()
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ConsoleSession(Base):
    """A browser session opened by logging in with a token; its cookie is kept hashed too."""

    __tablename__ = "console_sessions"
    __table_args__ = (
        Index("uq_console_sessions_hash", "session_hash", unique=True),
        Index("ix_console_sessions_token", "token_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    session_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    token_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=False
    )
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(nullable=False)

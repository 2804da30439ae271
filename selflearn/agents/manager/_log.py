"""The conversation on record: every message in `manager_messages`, decisions also journalled.

Roles stored: `owner` (what the owner said, with the intent it was read as), `manager`
(the reply, with its data and any pending confirmation), `tool` (each tool call, its
arguments and result or error) and `decision` (what the owner decided; the same decision
is written to `learning_journal` with kind `owner_decision`, in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from selflearn.store import session_scope
from selflearn.store.models import JournalEntry, ManagerMessage

SessionFactory = Callable[[], AbstractContextManager[Session]]
OWNER_DECISION = "owner_decision"


@dataclass(frozen=True)
class StoredMessage:
    """One stored message of a conversation."""

    id: int
    role: str
    content: str
    data: dict[str, Any]
    created_at: datetime


def session_factory_for(engine: Engine) -> SessionFactory:
    """Return a factory of committing sessions on `engine`."""
    return lambda: session_scope(engine)


class ConversationLog:
    """Append-only record of one conversation."""

    def __init__(self, conversation_id: str, sessions: SessionFactory) -> None:
        self.conversation_id = conversation_id
        self._sessions = sessions

    def append(self, role: str, content: str, data: dict[str, Any] | None = None) -> None:
        """Store one message."""
        with self._sessions() as session:
            session.add(self._message(role, content, data))

    def decision(
        self,
        summary: str,
        evidence: dict[str, Any],
        *,
        campaign_id: str | None = None,
        experiment_id: str | None = None,
    ) -> None:
        """Store an owner decision in the conversation and in the learning journal."""
        evidence = {**evidence, "conversation_id": self.conversation_id}
        with self._sessions() as session:
            session.add(self._message("decision", summary, evidence))
            session.add(
                JournalEntry(
                    kind=OWNER_DECISION,
                    summary=summary,
                    evidence=evidence,
                    campaign_id=campaign_id,
                    experiment_id=experiment_id,
                )
            )

    def messages(self) -> list[StoredMessage]:
        """Return every stored message of the conversation, oldest first."""
        query = (
            select(ManagerMessage)
            .where(ManagerMessage.conversation_id == self.conversation_id)
            .order_by(ManagerMessage.id)
        )
        with self._sessions() as session:
            return [
                StoredMessage(row.id, row.role, row.content, dict(row.data), row.created_at)
                for row in session.scalars(query)
            ]

    def _message(self, role: str, content: str, data: dict[str, Any] | None) -> ManagerMessage:
        return ManagerMessage(
            conversation_id=self.conversation_id, role=role, content=content, data=data or {}
        )

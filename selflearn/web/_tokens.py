"""API tokens and console sessions in the store: made once, kept only as SHA-256 hashes.

A token is 256 random bits, so one SHA-256 is enough to keep it safe at rest (a slow password
hash guards guessable secrets, which these are not) and lets a request be checked with one
indexed lookup. Sessions work the same way: the cookie holds a random id, the table its hash.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from selflearn.errors import InvalidInputError, NotFoundError
from selflearn.store.models import ROLES, ApiToken, ConsoleSession

__all__ = [
    "ROLES",
    "SESSION_LIFETIME",
    "TOKEN_PREFIX",
    "Caller",
    "IssuedToken",
    "authenticate",
    "check_role",
    "close_session",
    "create_token",
    "ensure_first_admin",
    "get_token",
    "has_tokens",
    "list_tokens",
    "open_session",
    "revoke_token",
    "session_caller",
    "token_dict",
]

TOKEN_PREFIX = "slt_"
SESSION_LIFETIME = timedelta(hours=12)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the token's id, name and role (and its session's CSRF token)."""

    token_id: uuid.UUID
    name: str
    role: str
    csrf_token: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: the secret is shown this once and never again."""

    id: uuid.UUID
    token: str
    role: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        """Return what `tokens create --json` prints."""
        return {"token": self.token, "role": self.role, "name": self.name, "id": str(self.id)}


def check_role(role: str) -> str:
    """Return `role` if it is one of the roles, else raise saying which exist."""
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}", hint=f"Use one of: {', '.join(ROLES)}.")
    return role


def create_token(role: str, *, session: Session, name: str = "") -> IssuedToken:
    """Make a token with `role`; only its hash and first characters are stored."""
    check_role(role)
    name = name.strip()
    if len(name) > 100:
        raise InvalidInputError("a token name has at most 100 characters", hint="Shorten it.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=uuid.uuid4(), name=name, role=role, token_hash=_hash(secret), prefix=secret[:12]
    )
    session.add(row)
    session.flush()
    return IssuedToken(row.id, secret, role, name)


def has_tokens(*, session: Session, role: str | None = None) -> bool:
    """Return whether any token that is not revoked exists (of `role`, if given)."""
    query = select(ApiToken.id).where(ApiToken.revoked_at.is_(None))
    if role is not None:
        query = query.where(ApiToken.role == role)
    return session.scalars(query.limit(1)).first() is not None


def ensure_first_admin(*, session: Session) -> IssuedToken | None:
    """Make an admin token when no usable token exists (a fresh install); else return None."""
    if has_tokens(session=session):
        return None
    return create_token("admin", session=session, name="first admin")


def authenticate(secret: str, *, session: Session, now: datetime) -> Caller | None:
    """Return the caller a token stands for, or None if it is unknown or revoked."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _hash(secret.strip()))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    # Only once a minute: a busy client should not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return Caller(row.id, row.name, row.role)


def token_dict(row: ApiToken) -> dict[str, Any]:
    """Return a token's public facts (never its hash)."""
    return {
        "id": str(row.id),
        "name": row.name,
        "role": row.role,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "last_used_at": None if row.last_used_at is None else row.last_used_at.isoformat(),
        "revoked_at": None if row.revoked_at is None else row.revoked_at.isoformat(),
    }


def list_tokens(*, session: Session, include_revoked: bool = False) -> list[ApiToken]:
    """Return the tokens, oldest first."""
    query = select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(query))


def get_token(ref: str, *, session: Session) -> ApiToken:
    """Return a token by its id or its prefix, or raise NotFoundError."""
    return _find(ref, session)


def _find(ref: str, session: Session) -> ApiToken:
    ref = ref.strip()
    try:
        row = session.get(ApiToken, uuid.UUID(ref))
    except ValueError:
        matches = list(session.scalars(select(ApiToken).where(ApiToken.prefix == ref)))
        row = matches[0] if len(matches) == 1 else None
    if row is None:
        raise NotFoundError(
            f"no token {ref!r}", hint="`selflearn tokens list` shows ids and prefixes."
        )
    return row


def revoke_token(ref: str, *, session: Session, now: datetime) -> ApiToken:
    """Revoke a token by id or prefix; its console sessions end with it."""
    row = _find(ref, session)
    if row.revoked_at is None:
        row.revoked_at = now
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_id == row.id))
    session.flush()
    return row


def open_session(caller: Caller, *, session: Session, now: datetime) -> tuple[str, str]:
    """Open a console session for `caller`; return the cookie value and its CSRF token."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    session.add(
        ConsoleSession(
            id=uuid.uuid4(),
            session_hash=_hash(cookie),
            token_id=caller.token_id,
            csrf_token=csrf,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return cookie, csrf


def session_caller(cookie: str, *, session: Session, now: datetime) -> Caller | None:
    """Return the caller of a live session cookie, or None."""
    row = session.execute(
        select(ConsoleSession, ApiToken)
        .join(ApiToken, ApiToken.id == ConsoleSession.token_id)
        .where(ConsoleSession.session_hash == _hash(cookie))
    ).one_or_none()
    if row is None:
        return None
    console, token = row
    if console.expires_at <= now or token.revoked_at is not None:
        return None
    return Caller(token.id, token.name, token.role, console.csrf_token)


def close_session(cookie: str, *, session: Session) -> None:
    """End a console session (log out)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.session_hash == _hash(cookie)))

"""Staff sign-in sessions, kept server-side: the browser holds a random token, the database
its hash. A session ends on sign-out, after ``idle`` without use, or when the account is
disabled::

    token = open_session(session, user_id=7, client="10.0.0.5")
    user = resume(session, token, idle=timedelta(minutes=30))   # None once expired
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, col, update

from models.db_types import UTCDateTime, utcnow
from models.users import User

TOUCH_EVERY = timedelta(seconds=60)  # last use is written at most once a minute


class StaffSession(SQLModel, table=True):
    """One signed-in browser."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    client: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, *, user_id: int, client: str) -> str:
    """A new session for ``user_id``; the token goes to the browser, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_digest(token), user_id=user_id, client=client[:64]))
    return token


def resume(
    session: Session, token: str, *, idle: timedelta, now: datetime | None = None
) -> User | None:
    """The active account of a live session (its last use updated), or None."""
    now = now or utcnow()
    row = session.get(StaffSession, _digest(token))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle:
        row.ended_at = now
        session.add(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return user


def end_session(session: Session, token: str) -> None:
    """Sign out: the token is dead from now on."""
    row = session.get(StaffSession, _digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        session.add(row)


def end_sessions_of(session: Session, user_id: int) -> None:
    """Sign an account out everywhere (a disabled account, a reset password)."""
    ended = update(StaffSession).where(
        col(StaffSession.user_id) == user_id, col(StaffSession.ended_at).is_(None)
    )
    session.exec(ended.values(ended_at=utcnow()))  # type: ignore[call-overload]

"""Call-backs of abandoned callers made from the agent console: each attempt, who made it,
when, and how it went (``placing`` → ``placed`` or ``failed`` with the reason).

An attempt is claimed in the database before anything is dialled: attempts are numbered per
phone number (unique), and a number with a call still ringing is refused, so two agents who
click the same caller at once make one call::

    with session_scope(engine) as session:
        attempt = claim_attempt(session, number="+525512345678", call_id="c1",
                                transport="twilio", agent="ana")
    ...   # dial
    with session_scope(engine) as session:
        finish_attempt(session, attempt.id, placed=True, placed_call_id="CA…")
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, UniqueConstraint, col, select

from models.db_types import UTCDateTime, utcnow
from models.errors import DomainError

# How long a placed call-back holds its number: the phone rings up to 30 s, then the citizen
# hears a sentence and joins the queue; a second call within this time would ring them twice.
RINGING = timedelta(minutes=2)


class AttemptResult(StrEnum):
    """How an attempt went. Whether the citizen then spoke to an agent is the call record's:
    an answered call to the number takes it off the list."""

    PLACING = "placing"
    PLACED = "placed"
    FAILED = "failed"


class CallbackBusy(DomainError):
    """Someone is calling this number back already (or just did)."""

    error_id = "callback-busy"
    status_code = 409


class CallbackAttempt(SQLModel, table=True):
    """One call-back of an abandoned caller by an agent."""

    __tablename__ = "callback_attempt"
    __table_args__ = (UniqueConstraint("number", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, index=True)
    seq: int
    call_id: str = Field(max_length=64)  # the abandoned call being returned
    transport: str = Field(max_length=16)
    agent: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    result: str = Field(default=AttemptResult.PLACING.value, max_length=16)
    error: str = Field(default="", max_length=500)
    placed_call_id: str | None = Field(default=None, max_length=64, index=True)
    # the ``callback_request`` row made for this attempt's Twilio webhook (not one the caller
    # booked in the IVR, which is reused and keeps saying the caller asked)
    created_callback_id: int | None = None
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def claim_attempt(
    session: Session,
    *,
    number: str,
    call_id: str,
    transport: str,
    agent: str,
    now: datetime | None = None,
) -> CallbackAttempt:
    """A new attempt on ``number``, or ``CallbackBusy`` when one is being placed or was placed
    less than ``RINGING`` ago (by anyone, from any page)."""
    now = now or utcnow()
    latest = session.exec(
        select(CallbackAttempt)
        .where(CallbackAttempt.number == number)
        .order_by(col(CallbackAttempt.seq).desc())
        .limit(1)
    ).first()
    if latest is not None and now - latest.created_at < RINGING:
        if latest.result == AttemptResult.PLACING:
            raise CallbackBusy(f"{latest.agent} ya está llamando a este número.")
        if latest.result == AttemptResult.PLACED:
            raise CallbackBusy(
                f"{latest.agent} acaba de llamar a este número; espere a que conteste."
            )
    attempt = CallbackAttempt(
        number=number,
        seq=(latest.seq if latest else 0) + 1,
        call_id=call_id,
        transport=transport,
        agent=agent,
        created_at=now,
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError as error:  # another agent's claim got in between
        raise CallbackBusy("Otro agente está llamando a este número.") from error
    return attempt


def finish_attempt(
    session: Session,
    attempt_id: int,
    *,
    placed: bool,
    error: str = "",
    placed_call_id: str | None = None,
) -> CallbackAttempt:
    """Record how the dialling went."""
    attempt = session.get(CallbackAttempt, attempt_id)
    assert attempt is not None, attempt_id
    attempt.result = AttemptResult.PLACED if placed else AttemptResult.FAILED
    attempt.error, attempt.placed_call_id = error[:500], placed_call_id
    attempt.finished_at = utcnow()
    session.add(attempt)
    return attempt

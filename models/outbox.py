"""Tables of the delivery machinery: the event outbox, jobs, and leases of periodic tasks."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class OutboxEvent(SQLModel, table=True):
    """An event written with the change it describes, kept until it reached the bus."""

    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=32, unique=True)
    payload: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Job(SQLModel, table=True):
    """A side effect (an SMS, a call-back, a sweep) that exactly one worker carries out.

    ``status`` is ``pending`` → ``running`` → ``done``, or back to ``pending`` with a later
    ``run_after`` after a failure, or ``failed`` (kept, with its reason) when the attempts run
    out. A ``running`` job whose ``claimed_until`` has passed belonged to a worker that died:
    another worker takes it again. ``outcome`` is what the handler recorded as done (an SMS's
    message SID), written before the job is acknowledged, so a reclaimed job never repeats it.
    """

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    payload: str = "{}"
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    max_attempts: int = 6
    run_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = ""
    last_error: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Lease(SQLModel, table=True):
    """Who runs a once-per-deployment task (``name``) until ``expires_at``."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime = Field(sa_type=UTCDateTime)

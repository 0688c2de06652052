"""Call records: one row per call, whichever transport carried it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class CallStatus(StrEnum):
    """How a call stands or ended, on its record and in ``CallEnded.status``."""

    IN_PROGRESS = "in_progress"
    QUEUED = "queued"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    UNANSWERED = "unanswered"
    LOST = "lost"  # ended while the AMI link was down (seen missing on resync)


class CallRecord(SQLModel, table=True):
    """A call from arrival to hang-up, tied to the folio registered in it."""

    __tablename__ = "call_record"

    call_id: str = Field(primary_key=True, max_length=64)
    transport: str = Field(max_length=16)
    caller: str = Field(default="", max_length=64)
    called: str = Field(default="", max_length=64)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    queue: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=64)
    wait_seconds: float | None = None
    duration_seconds: float | None = None
    status: str = Field(default="in_progress", max_length=32)
    cause: str = Field(default="", max_length=64)
    folio: str | None = Field(default=None, max_length=10, index=True)
    recording: str | None = Field(default=None, max_length=500)

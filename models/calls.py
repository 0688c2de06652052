"""Call records: one row per call, whichever transport carried it.

The call recorder (``models.call_records``) is their only writer; every field comes from the
call events both fronts publish, so an Asterisk call and a Twilio call fill the same fields.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class CallStatus(StrEnum):
    """How a call stands or ended, on its record and in ``CallEnded.status``."""

    IN_PROGRESS = "in_progress"
    QUEUED = "queued"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    UNANSWERED = "unanswered"
    IVR = "ivr"  # ended in the IVR, never queued (see ``ivr_outcome``)
    LOST = "lost"  # ended while the AMI link was down (seen missing on resync)
    SPY = "spy"  # a supervisor's listening leg (ChanSpy), no citizen's call


class IvrOutcome(StrEnum):
    """How a call left the IVR."""

    COMPLETED = "completed"  # the IVR served it (folio or status read back; goodbye or not)
    HANDED_OVER = "handed_over"  # sent to an agent
    HUNG_UP = "hung_up"  # the caller hung up in the IVR before being served


class CallRecord(SQLModel, table=True):
    """A call from arrival to wrap-up: IVR, queue, agent, hold, transfer, end, folios."""

    __tablename__ = "call_record"

    call_id: str = Field(primary_key=True, max_length=64)
    transport: str = Field(max_length=16)
    caller: str = Field(default="", max_length=64, index=True)  # a screen pop's past calls
    called: str = Field(default="", max_length=64)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    ivr_path: list[str] = Field(default_factory=list, sa_type=JSON)
    ivr_outcome: str | None = Field(default=None, max_length=16)
    handoff: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    queue: str | None = Field(default=None, max_length=64)
    queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    queue_position: int | None = None
    rings: int = 0
    missed: int = 0
    missed_agents: list[str] = Field(default_factory=list, sa_type=JSON)  # one per missed ring
    agent: str | None = Field(default=None, max_length=64)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    abandoned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wait_seconds: float | None = None
    queue_exit: str | None = Field(default=None, max_length=16)  # "abandoned" or a reason
    hold_count: int = 0
    hold_seconds: float = 0.0
    held_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    transfer_target: str | None = Field(default=None, max_length=200)
    transferred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration_seconds: float | None = None
    status: str = Field(default=CallStatus.IN_PROGRESS.value, max_length=32)
    cause: str = Field(default="", max_length=64)
    ended_by: str = Field(default="", max_length=8)
    recording: str | None = Field(default=None, max_length=500)
    folios: list[str] = Field(default_factory=list, sa_type=JSON)
    wrapup_disposition: str | None = Field(default=None, max_length=64)
    wrapup_notes: str | None = Field(default=None, max_length=2000)
    wrapped_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    wrapup_seconds: float | None = None
    applied_events: list[str] = Field(default_factory=list, sa_type=JSON)

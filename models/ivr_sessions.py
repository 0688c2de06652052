"""IVR call sessions: the flow state of each live call, shared by every worker process."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class IvrSession(SQLModel, table=True):
    """One call's flow state and the last answer served, keyed by the transport's call id.

    ``seq`` counts the turns served; ``claimed_seq`` marks a turn being computed since
    ``claimed_at``, so a retried webhook waits for (and repeats) the answer instead of computing
    it twice, unless the claim is older than the lease (its worker died): then it takes it over.
    """

    __tablename__ = "ivr_session"

    call_id: str = Field(primary_key=True, max_length=64)
    seq: int = 0
    claimed_seq: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = ""
    last_response: str = ""
    media_input: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallbackRequest(SQLModel, table=True):
    """A caller who chose to be called back instead of waiting: their place in line."""

    __tablename__ = "callback_request"

    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(max_length=64, index=True)
    phone: str = Field(max_length=64)
    queue: str = Field(max_length=64, index=True)
    context: str = ""
    status: str = Field(default="waiting", max_length=16, index=True)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    placed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    placed_call_sid: str | None = Field(default=None, max_length=64)

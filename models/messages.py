"""Text messages (SMS and WhatsApp): what was sent and its delivery status."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class OutboundMessage(SQLModel, table=True):
    """A message sent to a citizen, updated by the carrier's status callbacks."""

    __tablename__ = "outbound_message"

    id: int | None = Field(default=None, primary_key=True)
    sid: str | None = Field(default=None, max_length=64, unique=True, index=True)
    channel: str = Field(max_length=16)
    to: str = Field(max_length=64, index=True)
    body: str = Field(max_length=1600)
    purpose: str = Field(max_length=32)
    folio: str | None = Field(default=None, max_length=10, index=True)
    status: str = Field(default="queued", max_length=32)
    error_code: str | None = Field(default=None, max_length=16)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


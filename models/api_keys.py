"""API keys of the Open311 GeoReport v2 API: created by administrators, stored hashed.

A key names the application (the channel) that uses it; every request it creates carries that
name as its ``source``. Only the SHA-256 of the secret is kept; ``prefix`` (the key's first
characters, not secret) finds the row without scanning.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """One application's key to the GeoReport API."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, unique=True, index=True)
    secret_hash: str = Field(max_length=64)
    channel: str = Field(max_length=64)  # e.g. "APP CDMX": the request's source and origin
    contact: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

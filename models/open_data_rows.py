"""Rows imported from the City's official 0311 open data, kept exactly as published.

An imported row becomes a historical :class:`~models.requests.ServiceRequest` (so statistics
and the board count it) and keeps its sixteen original fields here, quirks included, so that
exporting it again gives back the same row field for field.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class OpenDataRow(SQLModel, table=True):
    """The published fields of one imported request (``fields``: column → text, ``NA`` kept)."""

    __tablename__ = "open_data_row"

    request_id: int = Field(foreign_key="service_request.id", primary_key=True)
    id_folio: str = Field(max_length=32, unique=True, index=True)
    fields: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    source_file: str = Field(default="", max_length=200)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

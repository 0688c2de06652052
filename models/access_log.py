"""The log of every view of a citizen's personal data (name, phone, e-mail, exact address):
who saw it, when, about which request or call, and on which page, as Mexico's personal-data
law expects of public bodies. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel

from models.db_types import UTCDateTime, utcnow


class PersonalDataView(SQLModel, table=True):
    """One view of personal data."""

    __tablename__ = "personal_data_view"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    username: str = Field(max_length=64, index=True)
    role: str = Field(max_length=16)
    folio: str | None = Field(default=None, max_length=10, index=True)
    call_id: str | None = Field(default=None, max_length=64)
    page: str = Field(max_length=200)


def record_view(
    session: Session,
    *,
    username: str,
    role: str,
    page: str,
    folios: list[str] | tuple[str, ...] = (),
    call_id: str | None = None,
) -> None:
    """Write one row per request whose personal data a page showed (one for a call alone)."""
    targets: list[str | None] = list(folios) or [None]
    for folio in targets:
        session.add(
            PersonalDataView(
                username=username, role=role, folio=folio, call_id=call_id, page=page[:200]
            )
        )

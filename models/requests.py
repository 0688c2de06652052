"""Requests (solicitudes), their history, and the per-year folio counter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow


class Status(StrEnum):
    """Where a request is in its lifecycle."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    REASSIGNED = "reassigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


class Channel(StrEnum):
    """How a request reached the City."""

    ASTERISK_CALL = "asterisk_call"
    TWILIO_CALL = "twilio_call"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    AGENT = "agent"
    VENTANILLA = "ventanilla"
    WEB = "web"
    OPEN311 = "open311"  # an application through the GeoReport API (its key names it)
    HISTORICAL = "historical"  # imported from the City's open data (the row keeps its origin)


class RoadClass(StrEnum):
    """Whether a place is on a primary road (vía primaria) or a secondary street."""

    PRIMARY = "primaria"
    SECONDARY = "secundaria"


class PlaceFields(SQLModel):
    alcaldia: str | None = Field(default=None, max_length=40, index=True)
    colonia: str | None = Field(default=None, max_length=120)
    street: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    road_class: RoadClass | None = None
    postal_code: str | None = Field(default=None, max_length=8)


class CitizenFields(SQLModel):
    citizen_name: str | None = Field(default=None, max_length=200)
    citizen_phone: str | None = Field(default=None, max_length=32)
    citizen_email: str | None = Field(default=None, max_length=200)


class Sex(StrEnum):
    """The official open data's ``sexo`` values a citizen may give."""

    FEMALE = "femenino"
    MALE = "masculino"
    UNSPECIFIED = "no_especificado"


class DemographicFields(SQLModel):
    """Sex and age, given voluntarily; published (as the official dataset does) only when the
    citizen consented (``demographics_public``)."""

    citizen_sex: Sex | None = Field(default=None, sa_type=String(16))
    citizen_age: int | None = Field(default=None, ge=0, le=120)
    demographics_public: bool = False


class RequestCreate(PlaceFields, CitizenFields, DemographicFields):
    """What is needed to register a request; citizen data is optional (anonymous allowed);
    ``source`` names the application or office the channel stands for (an Open311 key's
    channel, say)."""

    catalogue_code: str = Field(max_length=16)
    kind: str | None = Field(default=None, max_length=16)
    description: str = Field(default="", max_length=4000)
    channel: Channel
    call_id: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=64)


class ServiceRequest(PlaceFields, CitizenFields, DemographicFields, table=True):
    """A citizen's request, from reception to closing. Nothing is ever deleted."""

    __tablename__ = "service_request"
    # a screen pop finds the caller's earlier requests by number (E.164)
    __table_args__ = (Index("ix_service_request_citizen_phone", "citizen_phone"),)

    id: int | None = Field(default=None, primary_key=True)
    folio: str = Field(max_length=10, unique=True, index=True)
    kind: str = Field(max_length=16)
    catalogue_code: str = Field(foreign_key="catalogue_entry.code", max_length=16, index=True)
    description: str = ""
    channel: str = Field(max_length=16)
    call_id: str | None = Field(default=None, max_length=64, index=True)
    source: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=Status.RECEIVED, max_length=16, index=True)
    authority_code: str | None = Field(
        default=None, foreign_key="authority.code", max_length=16, index=True
    )
    unit_code: str | None = Field(default=None, max_length=16)
    responsible_person: str | None = Field(default=None, max_length=200)
    answer_text: str | None = None
    answer_public: bool = False  # the authority published the answer (checked: names nobody)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str | None = None


class RequestHistory(SQLModel, table=True):
    """One change of a request: who, when, what changed from what to what, and why."""

    __tablename__ = "request_history"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=120)
    field: str = Field(max_length=32)
    from_value: str | None = None
    to_value: str | None = None
    note: str = ""


class FolioCounter(SQLModel, table=True):
    """The last folio sequence issued in a year."""

    __tablename__ = "folio_counter"

    year: int = Field(primary_key=True)
    last_sequence: int = 0

"""Requests as Open311 GeoReport v2 shows them to anyone: never the citizen's data.

SUAC's statuses become ``open`` or ``closed`` (answered, closed and rejected requests are
closed), with the Spanish status, and for an answer the responsible official and unit, in
``status_notes`` (the answer's text only when the authority published it, never a rejection's
reason). The place is only the colonia and alcaldía, and coordinates rounded to about a
hundred metres; the description, the street and every contact datum stay out
(:class:`GeoReportRequest` has no field for them)::

    with session_scope(engine, readonly=True) as session:
        rows = find_requests(session, RequestQuery(statuses=frozenset({"open"}),
                                                   start=start, end=end))
    views = [geo_report(row, zone=calendar.zone) for row in rows]
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from pydantic import BaseModel
from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from models.authorities import AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.lifecycle import STATUS_LABELS
from models.open_data.layout import COORDINATE_DECIMALS  # the open data's rounding (~110 m)
from models.requests import RequestHistory, ServiceRequest, Status

CLOSED_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED, Status.REJECTED})
OPEN311_STATUSES = {"open", "closed"}
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CITY = "Ciudad de México"


class GeoReportRequest(BaseModel):
    """One request as the Open311 API shows it (the spec's fields; nothing personal)."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: None = None  # the citizen's words may name them: never published
    agency_responsible: str | None
    service_notice: str | None = None
    requested_datetime: str
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: None = None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: None = None


@dataclass(frozen=True)
class RequestQuery:
    """A listing's filters: ``folios`` overrides every other one."""

    folios: tuple[str, ...] = ()
    service_codes: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None
    limit: int = MAX_RESULTS


@dataclass
class RequestRow:
    """A request with the names the public reads and its last change."""

    request: ServiceRequest
    service_name: str | None
    authority_name: str | None
    unit_name: str | None
    updated_at: datetime | None = field(default=None)


def open311_status(status: str) -> str:
    """``open`` or ``closed``."""
    return "closed" if Status(status) in CLOSED_STATUSES else "open"


def _suac_statuses(statuses: Collection[str]) -> list[Status]:
    return [s for s in Status if open311_status(s) in statuses]


def status_notes(request: ServiceRequest, unit_name: str | None) -> str:
    """The Spanish status, with the responsible official and unit once answered, and the
    answer when the authority published it."""
    label = STATUS_LABELS[Status(request.status)].capitalize()
    if request.responsible_person and request.status in {Status.ANSWERED, Status.CLOSED}:
        unit = f" ({unit_name})" if unit_name else ""
        published = f" Respuesta: {request.answer_text}" if request.answer_public else ""
        return f"{label}. Responsable: {request.responsible_person}{unit}.{published}"
    return f"{label}."


def find_requests(session: Session, query: RequestQuery) -> list[RequestRow]:
    """The requests ``query`` selects, the newest first, at most ``query.limit``."""
    statement = (
        select(ServiceRequest, CatalogueEntry.name, Authority.name, AdministrativeUnit.name)
        .outerjoin(CatalogueEntry, col(CatalogueEntry.code) == ServiceRequest.catalogue_code)
        .outerjoin(Authority, col(Authority.code) == ServiceRequest.authority_code)
        .outerjoin(
            AdministrativeUnit,
            and_(
                col(AdministrativeUnit.authority_code) == ServiceRequest.authority_code,
                col(AdministrativeUnit.code) == ServiceRequest.unit_code,
            ),
        )
    )
    if query.folios:
        statement = statement.where(col(ServiceRequest.folio).in_(query.folios))
    else:
        if query.service_codes:
            statement = statement.where(col(ServiceRequest.catalogue_code).in_(query.service_codes))
        if query.statuses:
            statement = statement.where(
                col(ServiceRequest.status).in_(_suac_statuses(query.statuses))
            )
        if query.start is not None:
            statement = statement.where(col(ServiceRequest.received_at) >= query.start)
        if query.end is not None:
            statement = statement.where(col(ServiceRequest.received_at) <= query.end)
    statement = statement.order_by(col(ServiceRequest.received_at).desc()).limit(query.limit)
    rows = [RequestRow(*found) for found in session.exec(statement)]
    by_id = {row.request.id: row for row in rows}
    latest = (
        select(RequestHistory.request_id, func.max(RequestHistory.at))
        .where(col(RequestHistory.request_id).in_(list(by_id)))
        .group_by(col(RequestHistory.request_id))
    )
    for request_id, moment in session.exec(latest):  # type: ignore[call-overload]
        by_id[request_id].updated_at = moment
    return rows


def _when(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _rounded(value: float | None) -> float | None:
    return round(value, COORDINATE_DECIMALS) if value is not None else None


def public_address(request: ServiceRequest) -> str | None:
    """Colonia and alcaldía (never the street), most specific first."""
    parts = [p for p in (request.colonia, request.alcaldia) if p]
    return ", ".join([*parts, CITY]) if parts else None


def geo_report(row: RequestRow, *, zone: tzinfo) -> GeoReportRequest:
    """The public Open311 view of ``row``."""
    request = row.request
    moments = [m for m in (row.updated_at, request.answered_at, request.closed_at) if m]
    return GeoReportRequest(
        service_request_id=request.folio,
        status=open311_status(request.status),
        status_notes=status_notes(request, row.unit_name),
        service_name=row.service_name,
        service_code=request.catalogue_code,
        agency_responsible=row.authority_name,
        requested_datetime=_when(request.received_at, zone),
        updated_datetime=_when(max(moments, default=request.received_at), zone),
        expected_datetime=_when(request.due_at, zone) if request.due_at else None,
        address=public_address(request),
        zipcode=request.postal_code,
        lat=_rounded(request.latitude),
        long=_rounded(request.longitude),
    )

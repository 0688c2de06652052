"""Every request as a row of the official 0311 layout, in the order SUAC registered them.

An imported request gives back its published row as it came. A request of SUAC's own maps
its status, channel and catalogue tema onto the official vocabularies; sex and age only where
the citizen consented to publish them (``NA`` otherwise); the colonia and alcaldía, never the
street, number, reference, description, name, phone or e-mail (they are not even read); and
coordinates rounded to three decimals (about 110 m), never the exact point::

    with session_scope(engine, readonly=True) as session:
        for row in request_rows(session, zone=calendar.zone):
            writer.writerow(row)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from models.catalogue import CatalogueEntry
from models.open_data.layout import (
    ANSWERED,
    CLOSED,
    COLUMNS,
    COORDINATE_DECIMALS,
    DATE_FORMAT,
    ESTATUS_OF,
    NA,
    SEXO_OF,
    TIME_FORMAT,
    tipo_de_entrada,
)
from models.open_data_rows import OpenDataRow
from models.requests import ServiceRequest, Sex, Status

_CAPITALS = str.maketrans("ÁÉÍÓÚÜ", "AEIOUU")
READ: tuple[
    Any, ...
] = (  # the only columns an export reads: nothing that names or locates a citizen exactly
    ServiceRequest.id,
    ServiceRequest.folio,
    ServiceRequest.received_at,
    ServiceRequest.channel,
    ServiceRequest.source,
    ServiceRequest.status,
    ServiceRequest.answered_at,
    ServiceRequest.closed_at,
    ServiceRequest.alcaldia,
    ServiceRequest.colonia,
    ServiceRequest.postal_code,
    ServiceRequest.latitude,
    ServiceRequest.longitude,
    ServiceRequest.citizen_sex,
    ServiceRequest.citizen_age,
    ServiceRequest.demographics_public,
    CatalogueEntry.tema,
    OpenDataRow.fields,
)


def capitals(text: str) -> str:
    """The official ``*_solicitud`` spelling: capitals without accents (Ñ kept).

    >>> capitals("Álvaro Obregón"), capitals("Año de Juárez")
    ('ALVARO OBREGON', 'AÑO DE JUAREZ')
    """
    return text.upper().translate(_CAPITALS)


def _text(value: object | None) -> str:
    return NA if value is None or value == "" else str(value)


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(DATE_FORMAT) if moment else NA


def _coordinate(value: float | None) -> str:
    return NA if value is None else f"{round(value, COORDINATE_DECIMALS):.{COORDINATE_DECIMALS}f}"


def native_row(request: Any, *, zone: ZoneInfo) -> list[str]:
    """The official row of one of SUAC's own requests (a row of :data:`READ`'s columns)."""
    status = Status(request.status)
    estatus = ESTATUS_OF[status]
    concluded = {
        ANSWERED: request.answered_at,
        CLOSED: request.closed_at or request.answered_at,
    }.get(estatus)
    consented = request.demographics_public
    sex = Sex(request.citizen_sex) if consented and request.citizen_sex else None
    received = request.received_at.astimezone(zone)
    values = {
        "id_folio": request.folio,
        "fecha_solicitud": received.strftime(DATE_FORMAT),
        "hora_solicitud": received.strftime(TIME_FORMAT),
        "tipo_de_entrada": tipo_de_entrada(request.channel, request.source),
        "tema_solicitud": request.tema,
        "sexo": SEXO_OF[sex] if sex else NA,
        "edad": _text(request.citizen_age if consented else None),
        "colonia_solicitud": _text(request.colonia and capitals(request.colonia)),
        "alcaldia_solicitud": _text(request.alcaldia and capitals(request.alcaldia)),
        "codigo_postal_solicitud": _text(request.postal_code),
        "estatus": estatus,
        "fecha_concluido": _day(concluded, zone),
        "alcaldia_catalogo": _text(request.alcaldia),
        "colonia_catalogo": _text(request.alcaldia and request.colonia),
        "longitud": _coordinate(request.longitude),
        "latitud": _coordinate(request.latitude),
    }
    return [values[name] for name in COLUMNS]


def request_rows(session: Session, *, zone: ZoneInfo, batch: int = 1000) -> Iterator[list[str]]:
    """Every request's official row (an imported one's as published), oldest id first."""
    statement = (
        select(*READ)
        .join(CatalogueEntry, col(CatalogueEntry.code) == col(ServiceRequest.catalogue_code))
        .outerjoin(OpenDataRow, col(OpenDataRow.request_id) == col(ServiceRequest.id))
        .order_by(col(ServiceRequest.id))
        .execution_options(yield_per=batch)
    )
    for request in session.execute(statement):
        if request.fields is not None:
            yield [request.fields.get(name, NA) for name in COLUMNS]
        else:
            yield native_row(request, zone=zone)

"""Other citizens who report what an open request already reports.

An agent who finds the caller's problem already registered (a likely duplicate) attaches the
caller to that request instead of opening another one: the caller is kept as one more
reporter, and the request's history says so::

    with session_scope(engine) as session:
        attach_supporter(session, folio="2600000019", citizen=CitizenFields(citizen_name="Eva"),
                         channel=Channel.AGENT, call_id=None, actor="agent:ana", at=utcnow())
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, col, func, select

from models.db_types import UTCDateTime, utcnow
from models.errors import DomainError, FolioNotFound
from models.folio import parse_folio
from models.lifecycle import OPEN_STATUSES
from models.requests import CitizenFields, RequestHistory, ServiceRequest

SUPPORTER_NOTE = "Otro ciudadano reportó lo mismo."


class RequestNotOpen(DomainError):
    """Only an open request takes more reporters."""

    error_id = "request-not-open"
    status_code = 409


class RequestSupporter(CitizenFields, table=True):
    """A citizen who reported the same problem as the request's first reporter."""

    __tablename__ = "request_supporter"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=120)
    channel: str = Field(max_length=16)
    call_id: str | None = Field(default=None, max_length=64)


def attach_supporter(
    session: Session,
    *,
    folio: str,
    citizen: CitizenFields,
    channel: str,
    call_id: str | None,
    actor: str,
    at: datetime,
) -> ServiceRequest:
    """Record ``citizen`` as another reporter of the open request ``folio``, with a history
    line; raises :class:`FolioNotFound` or :class:`RequestNotOpen`."""
    number = parse_folio(folio)
    statement = select(ServiceRequest).where(col(ServiceRequest.folio) == number)
    request = session.exec(statement.with_for_update()).first()
    if request is None or request.id is None:
        raise FolioNotFound(f"No existe ninguna solicitud con el folio {number}.")
    if request.status not in OPEN_STATUSES:
        raise RequestNotOpen("Esa solicitud ya no está abierta: registre una nueva.")
    session.add(
        RequestSupporter(
            **citizen.model_dump(include=set(CitizenFields.model_fields)),
            request_id=request.id,
            at=at,
            actor=actor,
            channel=channel,
            call_id=call_id,
        )
    )
    session.flush()
    count = supporter_count(session, request.id)
    session.add(
        RequestHistory(
            request_id=request.id,
            at=at,
            actor=actor,
            field="supporters",
            from_value=str(count - 1),
            to_value=str(count),
            note=SUPPORTER_NOTE,
        )
    )
    return request


def supporter_count(session: Session, request_id: int) -> int:
    """How many citizens were attached to the request."""
    statement = select(func.count()).where(col(RequestSupporter.request_id) == request_id)
    return int(session.exec(statement).one())


def supporters_of(session: Session, request_id: int) -> list[RequestSupporter]:
    """The request's other reporters, first attached first."""
    statement = (
        select(RequestSupporter)
        .where(col(RequestSupporter.request_id) == request_id)
        .order_by(col(RequestSupporter.id))
    )
    return list(session.exec(statement))

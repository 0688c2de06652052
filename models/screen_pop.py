"""What an agent's screen shows when a call is put through: the call, what the IVR learned,
the folios of this call and the caller's earlier ones with their status.

Built from one call record (the recorder's, or the web process's own view of the call when the
recorder lags, see :mod:`models.recent_calls`) and three indexed look-ups::

    with session_scope(engine) as session:
        pop = screen_pop(session, record, phone="+525512345678")
    pop.previous[0].folio, pop.previous[0].status
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from models.calls import CallRecord
from models.catalogue import CatalogueEntry
from models.handoff import HandoffContext
from models.requests import ServiceRequest

PREVIOUS_LIMIT = 10  # the caller's most recent requests shown
PAST_CALLS_LIMIT = 50  # how many of the caller's past calls are searched for folios


@dataclass(frozen=True)
class FolioLine:
    """One request as the pop lists it."""

    folio: str
    status: str
    category: str
    received_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class ScreenPop:
    """Everything the pop shows of one call."""

    record: CallRecord
    context: HandoffContext
    in_call: list[FolioLine] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # folios named in the call but not found
    previous: list[FolioLine] = field(default_factory=list)

    @property
    def suggested_folio(self) -> str:
        """The folio the caller most likely wants to hear about: the one named in the call,
        else the most recent one."""
        named = [*self.asked, *(line.folio for line in (*self.in_call, *self.previous))]
        return named[0] if named else ""

    @property
    def folios(self) -> list[str]:
        """Every folio the pop shows (for the personal-data log)."""
        return [line.folio for line in (*self.in_call, *self.previous)]


def merged(newer: CallRecord | None, stored: CallRecord | None) -> CallRecord | None:
    """One view of a call from the process's memory (``newer``) and the stored record: each
    fact from whichever knows it, the memory first."""
    if newer is None or stored is None:
        return newer or stored
    view = CallRecord.model_validate(stored.model_dump())
    for name, value in newer.model_dump(exclude={"applied_events"}).items():
        if value not in (None, "", [], 0, 0.0) and name != "started_at":
            setattr(view, name, value)
    view.started_at = min(newer.started_at, stored.started_at)
    view.folios = list(dict.fromkeys([*stored.folios, *newer.folios]))
    return view


def _lines(session: Session, where: ColumnElement[bool], limit: int) -> list[FolioLine]:
    statement = (
        select(ServiceRequest, CatalogueEntry.name)
        .join(CatalogueEntry, col(CatalogueEntry.code) == col(ServiceRequest.catalogue_code))
        .where(where)
        .order_by(col(ServiceRequest.received_at).desc())
        .limit(limit)
    )
    return [
        FolioLine(
            folio=request.folio,
            status=request.status,
            category=name,
            received_at=request.received_at,
            due_at=request.due_at,
        )
        for request, name in session.exec(statement)
    ]


def _past_call_folios(session: Session, phone: str, call_id: str) -> list[str]:
    statement = (
        select(CallRecord.folios)
        .where(col(CallRecord.caller) == phone, col(CallRecord.call_id) != call_id)
        .order_by(col(CallRecord.started_at).desc())
        .limit(PAST_CALLS_LIMIT)
    )
    return [folio for folios in session.exec(statement) for folio in folios or []]


def screen_pop(session: Session, record: CallRecord, *, phone: str) -> ScreenPop:
    """The pop of ``record``'s call; ``phone`` is the caller's number in E.164 (empty when
    withheld: no earlier folios then)."""
    context = HandoffContext.model_validate(record.handoff or {"caller": record.caller})
    told = [folio for folio in (context.folio, context.queried_folio) if folio]
    named = list(dict.fromkeys([*record.folios, *told]))
    in_call = _lines(
        session,
        or_(col(ServiceRequest.call_id) == record.call_id, col(ServiceRequest.folio).in_(named)),
        PREVIOUS_LIMIT,
    )
    found = {line.folio for line in in_call}
    previous: list[FolioLine] = []
    if phone:
        past = [f for f in _past_call_folios(session, phone, record.call_id) if f not in found]
        mine = or_(col(ServiceRequest.citizen_phone) == phone, col(ServiceRequest.folio).in_(past))
        previous = [
            line
            for line in _lines(session, mine, PREVIOUS_LIMIT + len(found))
            if line.folio not in found
        ][:PREVIOUS_LIMIT]
    return ScreenPop(
        record=record,
        context=context,
        in_call=in_call,
        asked=[folio for folio in named if folio not in found],
        previous=previous,
    )

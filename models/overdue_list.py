"""The overdue requests behind a performance figure: open past their deadline, by due date.

The list is what a supervisor clicks through to from the performance report, narrowed the
same way (received in the period, and one authority, unit, alcaldía or category). It carries
no personal data: folio, category, place's alcaldía, holder, dates and status::

    page = overdue_page(session, calendar, period, OverdueFilter(authority_code="SACMEX"))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from models.authority_performance import Period
from models.business_days import BusinessCalendar
from models.catalogue import CatalogueEntry
from models.db_types import utcnow
from models.lifecycle import OPEN_STATUSES
from models.requests import ServiceRequest

PAGE_SIZE = 100
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


@dataclass(frozen=True)
class OverdueFilter:
    """Which row of the report the list belongs to; None means any."""

    authority_code: str | None = None
    unit_code: str | None = None
    alcaldia: str | None = None
    catalogue_code: str | None = None


@dataclass(frozen=True)
class OverdueRow:
    """One overdue request, without the citizen's data."""

    folio: str
    category: str
    alcaldia: str | None
    authority_code: str | None
    unit_code: str | None
    status: str
    received_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class OverduePage:
    """One page of the list and how many there are in all."""

    rows: list[OverdueRow]
    total: int
    page: int
    pages: int


def _narrowed(
    statement: S, start: datetime, end: datetime, now: datetime, which: OverdueFilter
) -> S:
    statement = statement.where(
        col(ServiceRequest.received_at) >= start,
        col(ServiceRequest.received_at) < end,
        col(ServiceRequest.status).in_(sorted(OPEN_STATUSES)),
        col(ServiceRequest.due_at) < now,
    )
    for column, value in (
        (ServiceRequest.authority_code, which.authority_code),
        (ServiceRequest.unit_code, which.unit_code),
        (ServiceRequest.alcaldia, which.alcaldia),
        (ServiceRequest.catalogue_code, which.catalogue_code),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    return statement


def overdue_page(
    session: Session,
    calendar: BusinessCalendar,
    period: Period,
    which: OverdueFilter,
    *,
    page: int = 1,
    now: datetime | None = None,
) -> OverduePage:
    """The overdue requests of ``period`` that match ``which``, longest overdue first."""
    now = now or utcnow()
    start, end = period.bounds(calendar)
    count = select(func.count()).select_from(ServiceRequest)
    total = session.execute(_narrowed(count, start, end, now, which)).scalar_one()
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    listed = select(
        col(ServiceRequest.folio),
        col(CatalogueEntry.name),
        col(ServiceRequest.alcaldia),
        col(ServiceRequest.authority_code),
        col(ServiceRequest.unit_code),
        col(ServiceRequest.status),
        col(ServiceRequest.received_at),
        col(ServiceRequest.due_at),
    ).join(CatalogueEntry, col(CatalogueEntry.code) == col(ServiceRequest.catalogue_code))
    statement = (
        _narrowed(listed, start, end, now, which)
        .order_by(col(ServiceRequest.due_at), col(ServiceRequest.id))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [OverdueRow(*row) for row in session.execute(statement)]
    return OverduePage(rows=rows, total=total, page=page, pages=pages)

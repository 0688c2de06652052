"""The authorities' inbox: which requests a member of an authority's staff sees, in what order.

An account bound to an authority sees that authority's requests; one also bound to a unit sees
only the requests assigned to that unit. Open requests come first by due date, which for one
authority's calendar is the order the City asks for: overdue, then due soon, then the rest::

    scope = InboxScope("SACMEX", unit_code=None)
    page = inbox_page(session, scope, InboxFilters(alcaldia="Tlalpan"), page=1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import TypeVar

from sqlalchemy import Index, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.authorities import AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.lifecycle import OPEN_STATUSES
from models.requests import ServiceRequest, Status

T = TypeVar("T")
PAGE_SIZE = 50

# The inbox's one query: an authority's requests of some statuses, by due date.
INBOX_INDEX = Index(
    "ix_service_request_inbox",
    col(ServiceRequest.authority_code),
    col(ServiceRequest.status),
    col(ServiceRequest.due_at),
)


@dataclass(frozen=True)
class InboxScope:
    """The requests an account may see and change: its authority's, or only its unit's."""

    authority_code: str
    unit_code: str | None = None

    def covers(self, request: ServiceRequest) -> bool:
        """True when ``request`` belongs in this inbox."""
        if request.authority_code != self.authority_code:
            return False
        return self.unit_code is None or request.unit_code == self.unit_code


@dataclass(frozen=True)
class InboxFilters:
    """What the staff narrowed the inbox to; None means any."""

    unit_code: str | None = None
    catalogue_code: str | None = None
    alcaldia: str | None = None
    status: Status | None = None


@dataclass(frozen=True)
class InboxRow:
    """One request of the inbox with its category's name."""

    request: ServiceRequest
    category: str


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox."""

    rows: list[InboxRow]
    total: int
    page: int
    page_size: int = PAGE_SIZE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, ceil(self.total / self.page_size)))


def _narrowed(
    statement: SelectOfScalar[T], scope: InboxScope, filters: InboxFilters
) -> SelectOfScalar[T]:
    statuses: Sequence[str] = [filters.status] if filters.status else sorted(OPEN_STATUSES)
    statement = statement.where(
        col(ServiceRequest.authority_code) == scope.authority_code,
        col(ServiceRequest.status).in_(statuses),
    )
    unit = scope.unit_code or filters.unit_code
    if unit:
        statement = statement.where(col(ServiceRequest.unit_code) == unit)
    if filters.catalogue_code:
        statement = statement.where(col(ServiceRequest.catalogue_code) == filters.catalogue_code)
    if filters.alcaldia:
        statement = statement.where(col(ServiceRequest.alcaldia) == filters.alcaldia)
    return statement


def inbox_page(
    session: Session,
    scope: InboxScope,
    filters: InboxFilters,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> InboxPage:
    """The requests of ``scope`` that pass ``filters``, earliest due first, one page of them."""
    total = session.exec(
        _narrowed(select(func.count()).select_from(ServiceRequest), scope, filters)
    ).one()
    last = max(1, ceil(total / page_size))
    page = min(max(page, 1), last)
    statement = (
        _narrowed(select(ServiceRequest), scope, filters)
        .order_by(col(ServiceRequest.due_at), col(ServiceRequest.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    requests = list(session.exec(statement))
    names = category_names(session, {request.catalogue_code for request in requests})
    rows = [InboxRow(request, names.get(request.catalogue_code, "")) for request in requests]
    return InboxPage(rows=rows, total=total, page=page, page_size=page_size)


def category_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of the catalogue entries ``codes``."""
    if not codes:
        return {}
    statement = select(CatalogueEntry.code, CatalogueEntry.name).where(
        col(CatalogueEntry.code).in_(sorted(codes))
    )
    return dict(session.exec(statement).all())


def inbox_categories(session: Session, scope: InboxScope) -> list[tuple[str, str]]:
    """The categories of the open requests in ``scope`` (code, name), by name: the filter's
    choices."""
    codes = session.exec(
        _narrowed(select(ServiceRequest.catalogue_code), scope, InboxFilters()).distinct()
    ).all()
    names = category_names(session, set(codes))
    return sorted(names.items(), key=lambda item: item[1])


def authority_units(session: Session, authority_code: str) -> list[AdministrativeUnit]:
    """The administrative units of an authority, by name."""
    statement = (
        select(AdministrativeUnit)
        .where(AdministrativeUnit.authority_code == authority_code)
        .order_by(col(AdministrativeUnit.name))
    )
    return list(session.exec(statement))


def handover_targets(
    session: Session, *, excluding: str
) -> list[tuple[Authority, list[AdministrativeUnit]]]:
    """Every other authority with its units, by name: where a request may be handed over."""
    authorities = session.exec(
        select(Authority).where(Authority.code != excluding).order_by(col(Authority.name))
    ).all()
    units = session.exec(
        select(AdministrativeUnit)
        .where(AdministrativeUnit.authority_code != excluding)
        .order_by(col(AdministrativeUnit.name))
    ).all()
    by_authority: dict[str, list[AdministrativeUnit]] = {}
    for unit in units:
        by_authority.setdefault(unit.authority_code, []).append(unit)
    return [(a, by_authority[a.code]) for a in authorities if a.code in by_authority]

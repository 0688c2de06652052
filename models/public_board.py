"""The public live board's data: the latest requests as anyone may see them, and where the
requests of the last days come from, by alcaldía and by rounded cell.

Only the public columns are ever read (folio, category, alcaldía, colonia, status, reception),
so a citizen's name, phone, e-mail, street, description or answer cannot reach the board by
accident. Coordinates are never shown: they are counted in cells of ``1 / CELLS_PER_DEGREE``
degrees (about a kilometre), and a cell with fewer than ``CELL_MINIMUM`` requests is left out::

    with session_scope(engine, readonly=True) as session:
        rows = latest_rows(session, BoardFilter(alcaldia="Tlalpan"))
        where = board_map(session, BoardFilter(alcaldia="Tlalpan"), now=utcnow())
    rows[0].folio_display, where.alcaldias["Tlalpan"], where.cells[0].count
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Integer, Select, func, literal_column
from sqlalchemy import select as columns
from sqlmodel import Session, col

from models.authorities import ALCALDIAS
from models.catalogue import CatalogueEntry
from models.errors import DomainError
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.requests import ServiceRequest, Status

LATEST = 50  # rows on the board
MAP_DAYS = 30  # the map counts the requests received in these last days
MAP_SECONDS = 300  # the map is counted again after this (its counts move slowly)
CELLS_PER_DEGREE = 100  # cells of 0.01° (about 1.1 km north–south in the City)
CELL_MINIMUM = 3  # a cell with fewer requests is not shown
Query = TypeVar("Query", bound=Select)  # type: ignore[type-arg]


class UnknownBoardFilter(DomainError):
    """A filter value the board does not know (an alcaldía, category or status)."""

    error_id = "unknown-board-filter"
    status_code = 422


class PublicRow(BaseModel):
    """What the board shows of a request: nothing about the citizen, the text or the place
    beyond the colonia."""

    model_config = ConfigDict(frozen=True)

    folio: str
    folio_display: str
    catalogue_code: str
    category_name: str
    alcaldia: str | None
    colonia: str | None
    status: str
    status_label: str
    received_at: datetime


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters (None: any)."""

    alcaldia: str | None = None
    catalogue_code: str | None = None
    status: str | None = None

    @classmethod
    def parse(
        cls, *, alcaldia: str, categoria: str, estado: str, categories: Collection[str]
    ) -> BoardFilter:
        """The filters of the board's form (blank: any); :class:`UnknownBoardFilter` names a
        value that is not an alcaldía, an active category or a status."""
        alcaldia, categoria, estado = alcaldia.strip(), categoria.strip(), estado.strip()
        if alcaldia and alcaldia not in ALCALDIAS:
            raise UnknownBoardFilter("Esa alcaldía no existe; elija una de la lista.")
        if categoria and categoria not in categories:
            raise UnknownBoardFilter("Esa categoría no existe; elija una de la lista.")
        if estado and estado not in set(Status):
            raise UnknownBoardFilter("Ese estado no existe; elija uno de la lista.")
        return cls(alcaldia or None, categoria or None, estado or None)

    def accepts(self, row: PublicRow) -> bool:
        """Whether ``row`` passes every filter."""
        return (
            self.alcaldia in (None, row.alcaldia)
            and self.catalogue_code in (None, row.catalogue_code)
            and self.status in (None, row.status)
        )

    def any_status(self) -> BoardFilter:
        """The same filters without the status one."""
        return replace(self, status=None)

    def query(self) -> dict[str, str]:
        """The filters as the form's query parameters (only those set)."""
        pairs = {"alcaldia": self.alcaldia, "categoria": self.catalogue_code, "estado": self.status}
        return {name: value for name, value in pairs.items() if value}

    def narrow(self, statement: Query) -> Query:
        """``statement`` restricted to the requests that pass the filters."""
        if self.alcaldia:
            statement = statement.where(col(ServiceRequest.alcaldia) == self.alcaldia)
        if self.catalogue_code:
            statement = statement.where(col(ServiceRequest.catalogue_code) == self.catalogue_code)
        if self.status:
            statement = statement.where(col(ServiceRequest.status) == self.status)
        return statement


@dataclass(frozen=True)
class Cell:
    """The requests of one rounded cell: its centre (``CELLS_PER_DEGREE`` steps) and count."""

    latitude: float
    longitude: float
    count: int


@dataclass(frozen=True)
class BoardMap:
    """Where the requests received since ``since`` that pass a filter come from."""

    alcaldias: Mapping[str, int]
    cells: list[Cell]
    since: datetime


def _public_select() -> Select:  # type: ignore[type-arg]
    """Only the public columns of a request (and its category's name)."""
    return columns(
        col(ServiceRequest.folio),
        col(ServiceRequest.catalogue_code),
        col(CatalogueEntry.name),
        col(ServiceRequest.alcaldia),
        col(ServiceRequest.colonia),
        col(ServiceRequest.status),
        col(ServiceRequest.received_at),
    ).join(CatalogueEntry, col(CatalogueEntry.code) == col(ServiceRequest.catalogue_code))


def _row(values: Any) -> PublicRow:
    folio, code, name, alcaldia, colonia, status, received_at = values
    return PublicRow(
        folio=folio,
        folio_display=format_folio(folio),
        catalogue_code=code,
        category_name=name,
        alcaldia=alcaldia,
        colonia=colonia,
        status=status,
        status_label=STATUS_LABELS[Status(status)],
        received_at=received_at,
    )


def latest_rows(
    session: Session, board_filter: BoardFilter, *, limit: int = LATEST
) -> list[PublicRow]:
    """The ``limit`` requests received last that pass ``board_filter``, newest first."""
    statement = board_filter.narrow(_public_select()).order_by(
        col(ServiceRequest.received_at).desc(), col(ServiceRequest.id).desc()
    )
    return [_row(values) for values in session.execute(statement.limit(limit))]


def public_row(session: Session, folio: str) -> PublicRow | None:
    """The board's row of the request ``folio`` (None when there is none)."""
    found = session.execute(_public_select().where(col(ServiceRequest.folio) == folio)).first()
    return _row(found) if found is not None else None


def alcaldia_counts(
    session: Session, board_filter: BoardFilter, *, since: datetime
) -> dict[str, int]:
    """Requests received since ``since`` that pass the filters, per alcaldía (those with any)."""
    alcaldia = col(ServiceRequest.alcaldia)
    statement = board_filter.narrow(columns(alcaldia, func.count()).select_from(ServiceRequest))
    statement = statement.where(
        alcaldia.is_not(None), col(ServiceRequest.received_at) >= since
    ).group_by(alcaldia)
    return {name: count for name, count in session.execute(statement) if name in ALCALDIAS}


def cells(
    session: Session, board_filter: BoardFilter, *, since: datetime, minimum: int = CELL_MINIMUM
) -> list[Cell]:
    """Requests received since ``since`` with coordinates, counted per rounded cell; only the
    cells with at least ``minimum`` requests, most first."""
    steps = literal_column(str(CELLS_PER_DEGREE), Integer)  # inline, so GROUP BY repeats the SELECT
    latitude = func.round(col(ServiceRequest.latitude) * steps)
    longitude = func.round(col(ServiceRequest.longitude) * steps)
    count = func.count()
    statement = board_filter.narrow(columns(latitude, longitude, count).select_from(ServiceRequest))
    statement = (
        statement.where(
            col(ServiceRequest.latitude).is_not(None),
            col(ServiceRequest.longitude).is_not(None),
            col(ServiceRequest.received_at) >= since,
        )
        .group_by(latitude, longitude)
        .having(count >= minimum)
        .order_by(count.desc(), latitude, longitude)
    )
    return [
        Cell(round(lat / CELLS_PER_DEGREE, 2), round(lon / CELLS_PER_DEGREE, 2), total)
        for lat, lon, total in session.execute(statement)
    ]


def board_map(session: Session, board_filter: BoardFilter, *, now: datetime) -> BoardMap:
    """The map of the last ``MAP_DAYS`` days' requests that pass ``board_filter``."""
    since = now - timedelta(days=MAP_DAYS)
    return BoardMap(
        alcaldias=alcaldia_counts(session, board_filter, since=since),
        cells=cells(session, board_filter, since=since),
        since=since,
    )


def category_choices(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """The active categories (code, name) grouped by official tema, both by name."""
    statement = (
        columns(col(CatalogueEntry.tema), col(CatalogueEntry.code), col(CatalogueEntry.name))
        .where(col(CatalogueEntry.active))
        .order_by(col(CatalogueEntry.tema), col(CatalogueEntry.name))
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for tema, code, name in session.execute(statement):
        groups.setdefault(tema, []).append((code, name))
    return list(groups.items())

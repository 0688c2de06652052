"""Importing a file in the official 0311 layout as historical requests, idempotently.

Each good row becomes a :class:`~models.requests.ServiceRequest` of channel ``historical``
(so statistics and the board count it) plus its :class:`~models.open_data_rows.OpenDataRow`
with the sixteen fields verbatim, so exporting it gives the row back field for field. The
request gets the official alcaldía whatever the spelling, the first catalogue entry of the
row's tema (of ``OTRO`` when the tema is unknown), the authority the catalogue routes it to,
the deadline of the calendar, and the row's status; a row marked open keeps its closing date
only in the published text. A folio already imported is skipped, a bad row is reported with
its line and reason, and the rest still loads (in batches, each one transaction)::

    report = import_open_data(engine, Path("0311.csv"), calendar=calendar)
    report.added, report.existing, report.rejected
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from models.business_days import BusinessCalendar
from models.catalogue import OTHER_TEMA, CatalogueEntry
from models.catalogue_import import Rejection
from models.db import session_scope
from models.open_data.layout import COLUMNS
from models.open_data.names import closest, name_index
from models.open_data.rows import ParsedRow, RowError, parse_row
from models.open_data_rows import OpenDataRow
from models.requests import Channel, ServiceRequest, Status
from models.routing import route

BATCH = 500
REQUESTS = ServiceRequest.__table__  # type: ignore[attr-defined]
ROWS = OpenDataRow.__table__  # type: ignore[attr-defined]


class OpenDataFileError(ValueError):
    """The file cannot be read as 0311 open data (encoding, header)."""


@dataclass
class ImportReport:
    """What an import did: rows added, rows whose folio was already there, rows refused."""

    added: int = 0
    existing: int = 0
    rejected: list[Rejection] = field(default_factory=list)


class _Temas:
    """The catalogue entry each official tema maps to (the first by code), OTRO otherwise."""

    def __init__(self, session: Session) -> None:
        entries = session.exec(
            select(CatalogueEntry)
            .where(col(CatalogueEntry.active))
            .order_by(col(CatalogueEntry.code).desc())
        )
        by_tema = {entry.tema: entry for entry in entries}  # the lowest code wins
        self._names = name_index(by_tema)
        self._entries = by_tema
        self.other = by_tema[OTHER_TEMA]

    def entry(self, tema: str) -> CatalogueEntry:
        name = closest(tema, self._names)
        return self._entries[name] if name else self.other


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The rows of ``path`` after its header, with the line each one ends on."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
            reader = csv.reader(file)
            header = [name.strip().lower() for name in next(reader, [])]
            if tuple(header) != COLUMNS:
                raise OpenDataFileError(
                    "el encabezado no es el de los datos abiertos 0311 "
                    f"(se esperaban las columnas {', '.join(COLUMNS)})"
                )
            for values in reader:
                if values:
                    yield reader.line_num, values
    except (OSError, csv.Error) as error:
        raise OpenDataFileError(f"no se puede leer el archivo: {error}") from error


def _request(row: ParsedRow, entry: CatalogueEntry, calendar: BusinessCalendar) -> dict[str, Any]:
    """The values of the row's request (the same keys for every row: one bulk insert)."""
    target = route(entry, alcaldia=row.alcaldia, road_class=None)
    status = row.status
    if target is None and status == Status.ASSIGNED:
        status = Status.RECEIVED
    answered = status in {Status.ANSWERED, Status.CLOSED}
    authority = target.authority_code if target else None
    return dict(
        folio=row.folio,
        kind=entry.kind,
        catalogue_code=entry.code,
        channel=Channel.HISTORICAL,
        source=row.fields["tipo_de_entrada"].strip()[:64] or None,
        received_at=row.received_at,
        due_at=calendar.due_at(row.received_at, authority),
        status=status,
        authority_code=authority,
        unit_code=target.unit_code if target else None,
        answered_at=row.concluded_at if answered else None,
        closed_at=row.concluded_at if status == Status.CLOSED else None,
        alcaldia=row.alcaldia,
        colonia=row.colonia,
        postal_code=row.postal_code,
        latitude=row.latitude,
        longitude=row.longitude,
        citizen_sex=row.sex,
        citizen_age=row.age,
        demographics_public=True,  # the City published them
    )


class _Import:
    def __init__(self, path: Path, calendar: BusinessCalendar, temas: _Temas) -> None:
        self.path, self.calendar, self.temas = path, calendar, temas
        self.report = ImportReport()
        self.seen: dict[str, int] = {}  # folio → line, within this file

    def parse(self, line: int, values: list[str]) -> ParsedRow | None:
        try:
            row = parse_row(values, zone=self.calendar.zone)
        except RowError as error:
            folio = values[0].strip() if values else ""
            self.report.rejected.append(Rejection(line, folio, str(error)))
            return None
        if row.id_folio in self.seen:
            reason = f"el folio se repite (ya está en la línea {self.seen[row.id_folio]})"
            self.report.rejected.append(Rejection(line, row.id_folio, reason))
            return None
        self.seen[row.id_folio] = line
        return row

    def load(self, session: Session, rows: list[ParsedRow]) -> None:
        folios = [row.id_folio for row in rows]
        there = set(
            session.exec(select(OpenDataRow.id_folio).where(col(OpenDataRow.id_folio).in_(folios)))
        )
        new = [row for row in rows if row.id_folio not in there]
        self.report.existing += len(rows) - len(new)
        if not new:
            return
        requests = [
            _request(row, self.temas.entry(row.fields["tema_solicitud"]), self.calendar)
            for row in new
        ]
        ids = session.execute(
            insert(REQUESTS).returning(REQUESTS.c.id, sort_by_parameter_order=True),
            requests,
        ).scalars()
        source = self.path.name[:200]
        session.execute(
            insert(ROWS),
            [
                {
                    "request_id": request_id,
                    "id_folio": row.id_folio,
                    "fields": row.fields,
                    "source_file": source,
                }
                for request_id, row in zip(ids, new, strict=True)
            ],
        )
        self.report.added += len(new)


def import_open_data(
    engine: Engine,
    path: Path,
    *,
    calendar: BusinessCalendar,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Load ``path`` (official 0311 layout); :class:`OpenDataFileError` when it is not one."""
    with session_scope(engine, readonly=True) as session:
        work = _Import(path, calendar, _Temas(session))
    rows = read_rows(path)
    while batch := list(islice(rows, BATCH)):
        parsed = [row for line, values in batch if (row := work.parse(line, values))]
        if parsed:
            with session_scope(engine) as session:
                work.load(session, parsed)
        if progress is not None:
            progress(len(batch))
    return work.report

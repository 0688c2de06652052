"""Writing the open data files into a folder, each one replaced atomically.

Each file is written to a temporary file in the same folder and renamed over the old one,
so a reader (the download page) always gets a whole file, the old or the new. The files:
the requests in the official 0311 layout (CSV, and JSON with ``null`` for ``NA``), the
per-authority and per-alcaldía statistics from the first request to today (CSV and JSON),
and the data dictionary (CSV)::

    write_open_data(engine, Path("datos-abiertos"), calendar=calendar)
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine, func
from sqlmodel import col, select

from models.business_days import BusinessCalendar
from models.config import Settings
from models.db import session_scope
from models.db_types import utcnow
from models.open_data.dictionary import FIELDS
from models.open_data.export import request_rows
from models.open_data.layout import COLUMNS, NA
from models.public_stats import COLUMNS as STATISTICS_COLUMNS
from models.public_stats import statistics_rows
from models.requests import ServiceRequest


@dataclass(frozen=True)
class OpenDataFile:
    """A file the open data folder may hold, and how the page presents it."""

    name: str
    media_type: str
    title: str


REQUESTS_CSV = OpenDataFile(
    "solicitudes_0311.csv", "text/csv", "Solicitudes (formato oficial 0311, CSV)"
)
REQUESTS_JSON = OpenDataFile(
    "solicitudes_0311.json", "application/json", "Solicitudes (formato oficial 0311, JSON)"
)
STATISTICS_CSV = OpenDataFile(
    "estadisticas_autoridades.csv", "text/csv", "Estadísticas por autoridad y alcaldía (CSV)"
)
STATISTICS_JSON = OpenDataFile(
    "estadisticas_autoridades.json",
    "application/json",
    "Estadísticas por autoridad y alcaldía (JSON)",
)
DICTIONARY_CSV = OpenDataFile("diccionario_de_datos.csv", "text/csv", "Diccionario de datos")
FILES: dict[str, OpenDataFile] = {
    f.name: f
    for f in (REQUESTS_CSV, REQUESTS_JSON, STATISTICS_CSV, STATISTICS_JSON, DICTIONARY_CSV)
}
FOLDER_NAME = "datos-abiertos"


def open_data_dir(settings: Settings) -> Path:
    """Where the files are written and served from (``public.open_data_dir``, or a folder in
    the data folder)."""
    return settings.public.open_data_dir or settings.data_dir / FOLDER_NAME


def _atomic(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write ``path`` through a temporary sibling renamed over it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            write(file)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _csv(rows: Iterable[Iterable[object]], header: Iterable[str]) -> Callable[[TextIO], None]:
    def write(file: TextIO) -> None:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)

    return write


def _json_array(items: Iterable[object]) -> Callable[[TextIO], None]:
    """A JSON array written item by item (the requests may be many)."""

    def write(file: TextIO) -> None:
        file.write("[")
        for n, item in enumerate(items):
            file.write(",\n" if n else "\n")
            file.write(json.dumps(item, ensure_ascii=False))
        file.write("\n]\n")

    return write


def _first_day(engine: Engine, calendar: BusinessCalendar, today: date) -> date:
    with session_scope(engine, readonly=True) as session:
        first = session.exec(select(func.min(col(ServiceRequest.received_at)))).one()
    if first is None:
        return today
    return min(first.astimezone(calendar.zone).date(), today)


def _requests(engine: Engine, calendar: BusinessCalendar) -> Callable[[], Iterable[list[str]]]:
    def rows() -> Iterable[list[str]]:
        with session_scope(engine, readonly=True) as session:
            yield from request_rows(session, zone=calendar.zone)

    return rows


def write_open_data(
    engine: Engine, directory: Path, *, calendar: BusinessCalendar, now: datetime | None = None
) -> list[Path]:
    """Write every open data file into ``directory`` (made when missing); their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    today = (now or utcnow()).astimezone(calendar.zone).date()
    rows = _requests(engine, calendar)
    first = _first_day(engine, calendar, today)
    statistics = statistics_rows(engine, start=first, end=today, calendar=calendar, now=now)
    writers: dict[OpenDataFile, Callable[[TextIO], None]] = {
        REQUESTS_CSV: _csv(rows(), COLUMNS),
        REQUESTS_JSON: _json_array(
            {name: None if value == NA else value for name, value in zip(COLUMNS, row, strict=True)}
            for row in rows()
        ),
        STATISTICS_CSV: _csv(
            ([NA if row[c] is None else row[c] for c in STATISTICS_COLUMNS] for row in statistics),
            STATISTICS_COLUMNS,
        ),
        STATISTICS_JSON: _json_array(statistics),
        DICTIONARY_CSV: _csv(
            ((f.file, f.name, f.kind, f.description) for f in FIELDS),
            ("archivo", "campo", "tipo", "descripcion"),
        ),
    }
    for file, write in writers.items():
        _atomic(directory / file.name, write)
    return [directory / file.name for file in writers]


async def publish_open_data(
    engine: Engine, directory: Path, *, calendar: BusinessCalendar
) -> list[Path]:
    """:func:`write_open_data` in a worker thread (a large export takes seconds)."""
    return await asyncio.to_thread(write_open_data, engine, directory, calendar=calendar)

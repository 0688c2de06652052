"""Importing a catalogue CSV idempotently, with a report of what was added, changed, rejected.

The CSV has the header of the shipped ``catalogue.csv``; list fields (``synonyms``,
``examples``) are separated by ``;``. A bad row is rejected with its reason and the rest of
the file still loads; the whole import is one transaction, and when it added or changed an
entry it stages ``ReferenceDataChanged`` in it, so every running process reloads the catalogue.

    report = import_catalogue(engine, Path("catalogo.csv"), stage=notifier.stage)
    print(report.added, report.changed, report.rejected)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.authorities import AdministrativeUnit
from models.catalogue import ALCALDIA_ROUTE, OTHER_TEMA, REQUEST_KINDS, CatalogueEntry
from models.config import PACKAGE_DATA
from models.db import session_scope
from models.db_types import utcnow
from models.events import BaseEvent, ReferenceDataChanged

COLUMNS = (
    "code",
    "name",
    "kind",
    "tema",
    "description",
    "synonyms",
    "examples",
    "authority",
    "unit",
    "primary_road_authority",
    "primary_road_unit",
    "phone_completable",
)
REQUIRED = ("code", "name", "kind", "tema", "authority", "unit")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
BOOLEANS = {
    "true": True,
    "false": False,
    "sí": True,
    "si": True,
    "no": False,
    "1": True,
    "0": False,
}
COMPARED = tuple(c for c in COLUMNS if c != "code")
Stage: TypeAlias = Callable[[Session, BaseEvent], None]
"""Writes an event in the caller's transaction (``Notifier.stage``)."""


@dataclass
class Rejection:
    """A row that could not be loaded, and why."""

    line: int
    code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class CatalogueFileError(ValueError):
    """The file itself cannot be read as a catalogue (encoding, header)."""


def official_temas() -> set[str]:
    """The 48 official 0311 temas, plus OTRO."""
    lines = (PACKAGE_DATA / "temas_0311.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip()} | {OTHER_TEMA}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


class _RowChecker:
    def __init__(self, session: Session) -> None:
        self.temas = official_temas()
        self.units: set[tuple[str, str]] = set()
        for unit in session.exec(select(AdministrativeUnit)):
            self.units.add((unit.authority_code, unit.code))
            if unit.authority_code.startswith("ALC-"):
                self.units.add((ALCALDIA_ROUTE, unit.code))

    def entry(self, row: dict[str, str]) -> CatalogueEntry:
        values = {k: (row.get(k) or "").strip() for k in COLUMNS}
        for name in REQUIRED:
            if not values[name]:
                raise ValueError(f"falta el campo «{name}»")
        if not CODE_PATTERN.match(values["code"]):
            raise ValueError(f"clave inválida «{values['code']}»")
        if values["kind"] not in REQUEST_KINDS:
            raise ValueError(f"tipo desconocido «{values['kind']}»")
        if values["tema"] not in self.temas:
            valid = ", ".join(sorted(self.temas))
            raise ValueError(f"tema 0311 desconocido «{values['tema']}»; los válidos: {valid}")
        self._check_unit(values["authority"], values["unit"])
        if values["primary_road_authority"]:
            self._check_unit(values["primary_road_authority"], values["primary_road_unit"])
        completable = BOOLEANS.get(values["phone_completable"].lower() or "false")
        if completable is None:
            raise ValueError(f"phone_completable inválido «{values['phone_completable']}»")
        return CatalogueEntry(
            code=values["code"],
            name=values["name"],
            kind=values["kind"],
            tema=values["tema"],
            description=values["description"],
            synonyms=_split(values["synonyms"]),
            examples=_split(values["examples"]),
            authority=values["authority"],
            unit=values["unit"],
            primary_road_authority=values["primary_road_authority"] or None,
            primary_road_unit=values["primary_road_unit"] or None,
            phone_completable=completable,
        )

    def _check_unit(self, authority: str, unit: str) -> None:
        if (authority, unit) not in self.units:
            raise ValueError(f"unidad desconocida «{authority}/{unit}»")


def import_catalogue(
    engine: Engine,
    path: Path,
    *,
    stage: Stage | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Load or update the catalogue from ``path``; ``progress`` is called once per row.

    ``stage`` announces a change to running processes (none for a database nothing serves).
    """
    report = ImportReport()
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(REQUIRED) - set(reader.fieldnames or ())
            if missing:
                raise CatalogueFileError(f"faltan columnas: {', '.join(sorted(missing))}")
            rows = list(reader)
    except UnicodeDecodeError as error:
        raise CatalogueFileError(f"el archivo no está en UTF-8: {error}") from error
    with session_scope(engine) as session:
        checker = _RowChecker(session)
        seen: set[str] = set()
        for line, row in enumerate(rows, start=2):
            code = (row.get("code") or "").strip()
            try:
                if None in row:
                    raise ValueError("la fila tiene más columnas que el encabezado")
                if code in seen:
                    raise ValueError("clave repetida en el archivo")
                entry = checker.entry(row)
            except ValueError as error:
                report.rejected.append(Rejection(line=line, code=code, reason=str(error)))
            else:
                seen.add(code)
                _upsert(session, entry, report)
            if progress is not None:
                progress(1)
        if stage is not None and (report.added or report.changed):
            stage(session, ReferenceDataChanged(what="catalogue"))
    return report


def _upsert(session: Session, entry: CatalogueEntry, report: ImportReport) -> None:
    current = session.get(CatalogueEntry, entry.code)
    if current is None:
        session.add(entry)
        report.added.append(entry.code)
        return
    if all(getattr(current, k) == getattr(entry, k) for k in COMPARED) and current.active:
        report.unchanged.append(entry.code)
        return
    for name in COMPARED:
        setattr(current, name, getattr(entry, name))
    current.active = True
    current.updated_at = utcnow()
    session.add(current)
    report.changed.append(entry.code)

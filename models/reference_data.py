"""Loading the shipped reference data: authorities with their units, and the catalogue.

Authorities are re-applied on every start; when that changes one, ``ReferenceDataChanged`` is
staged in the same transaction so that running processes reload their names.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.authorities import ALCALDIAS, AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.catalogue_import import ImportReport, Stage, import_catalogue
from models.db import session_scope
from models.events import ReferenceDataChanged


def read_authorities(path: Path) -> list[tuple[Authority, list[AdministrativeUnit]]]:
    """Parse ``authorities.yaml``: every alcaldía gets the common units, dependencias their own."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    common = data.get("alcaldia_units") or []
    result = []
    for spec in data.get("alcaldias") or []:
        if spec["alcaldia"] not in ALCALDIAS:
            raise ValueError(f"unknown alcaldía in {path}: {spec['alcaldia']}")
        authority = Authority(
            code=spec["code"],
            name=spec["name"],
            short_name=spec.get("short_name") or spec["alcaldia"],
            kind="alcaldia",
            alcaldia=spec["alcaldia"],
        )
        result.append((authority, _units(authority.code, common + (spec.get("units") or []))))
    for spec in data.get("dependencias") or []:
        authority = Authority(
            code=spec["code"],
            name=spec["name"],
            short_name=spec.get("short_name") or spec["code"],
            kind="dependencia",
        )
        result.append((authority, _units(authority.code, spec.get("units") or [])))
    return result


def _units(authority_code: str, specs: list[dict[str, str]]) -> list[AdministrativeUnit]:
    return [
        AdministrativeUnit(authority_code=authority_code, code=u["code"], name=u["name"])
        for u in specs
    ]


def upsert_authorities(session: Session, path: Path) -> int:
    """Insert or update every authority and unit of the file; returns how many authorities."""
    parsed = read_authorities(path)
    for authority, units in parsed:
        session.merge(authority)
        existing = {
            u.code: u
            for u in session.exec(
                select(AdministrativeUnit).where(
                    AdministrativeUnit.authority_code == authority.code
                )
            )
        }
        for unit in units:
            if unit.code in existing:
                existing[unit.code].name = unit.name
                session.add(existing[unit.code])
            else:
                session.add(unit)
    session.flush()
    return len(parsed)


def _names(session: Session) -> set[tuple[str, ...]]:
    """Every authority and unit with the names the service shows and says."""
    authorities = {
        (a.code, a.name, a.short_name, a.kind, a.alcaldia or "")
        for a in session.exec(select(Authority))
    }
    units = {(u.authority_code, u.code, u.name) for u in session.exec(select(AdministrativeUnit))}
    return authorities | units


def seed(
    engine: Engine, *, authorities_path: Path, catalogue_path: Path, stage: Stage
) -> ImportReport | None:
    """Load authorities (always, idempotently) and, on an empty catalogue, the shipped one;
    ``stage`` announces a change of authorities to processes already running."""
    with session_scope(engine) as session:
        before = _names(session)
        upsert_authorities(session, authorities_path)
        if before and _names(session) != before:  # a fresh database has no readers yet
            stage(session, ReferenceDataChanged(what="authorities"))
        count = session.exec(select(func.count()).select_from(CatalogueEntry)).one()
    if count:
        return None
    return import_catalogue(engine, catalogue_path)

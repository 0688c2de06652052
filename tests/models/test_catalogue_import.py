"""Catalogue import: idempotent, reports added/changed/rejected rows with reasons."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.catalogue import CatalogueEntry
from models.catalogue_import import COLUMNS, CatalogueFileError, import_catalogue, official_temas
from models.config import PACKAGE_DATA
from models.events import BaseEvent, ReferenceDataChanged

GOOD = {
    "code": "TST-001",
    "name": "Fuga de agua de prueba",
    "kind": "servicio",
    "tema": "FUGA DE AGUA",
    "description": "Prueba.",
    "synonyms": "fuga; chorro ;",
    "examples": "se está tirando el agua",
    "authority": "SACMEX",
    "unit": "DEO",
    "primary_road_authority": "",
    "primary_road_unit": "",
    "phone_completable": "true",
}


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_shipped_catalogue_is_complete(engine: Engine) -> None:
    with Session(engine) as session:
        entries = list(session.exec(select(CatalogueEntry)))
    assert len(entries) >= 150
    assert {e.tema for e in entries} >= official_temas() - {"OTRO"}
    assert all(e.synonyms and e.examples for e in entries)


def test_shipped_file_loads_without_rejections(engine: Engine) -> None:
    report = import_catalogue(engine, PACKAGE_DATA / "catalogue.csv")
    assert report.rejected == [] and report.added == [] and report.changed == []


def test_add_change_and_reject(engine: Engine, tmp_path: Path) -> None:
    bad_rows = [
        {**GOOD, "code": "TST-002", "kind": "antojo"},
        {**GOOD, "code": "TST-003", "tema": "TEMA INVENTADO"},
        {**GOOD, "code": "TST-004", "authority": "SACMEX", "unit": "NOEXISTE"},
        {**GOOD, "code": "", "name": "Sin clave"},
        {**GOOD, "code": "TST-005", "phone_completable": "quizá"},
        {**GOOD, "code": "TST-001", "name": "Repetida"},
        {**GOOD, "code": "tst 6"},
    ]
    path = write(tmp_path / "nuevo.csv", [GOOD, *bad_rows])
    seen: list[int] = []
    report = import_catalogue(engine, path, progress=seen.append)
    assert report.added == ["TST-001"] and len(seen) == 8
    reasons = {r.line: r.reason for r in report.rejected}
    temas = official_temas()
    assert reasons == {
        3: "tipo desconocido «antojo»",
        4: f"tema 0311 desconocido «TEMA INVENTADO»; los válidos: {', '.join(sorted(temas))}",
        5: "unidad desconocida «SACMEX/NOEXISTE»",
        6: "falta el campo «code»",
        7: "phone_completable inválido «quizá»",
        8: "clave repetida en el archivo",
        9: "clave inválida «tst 6»",
    }
    with Session(engine) as session:
        stored = session.get(CatalogueEntry, "TST-001")
        assert stored.synonyms == ["fuga", "chorro"] and stored.phone_completable
    staged: list[BaseEvent] = []

    def stage(session: Session, event: BaseEvent) -> None:
        staged.append(event)

    again = import_catalogue(engine, write(tmp_path / "otra.csv", [GOOD]), stage=stage)
    assert again.unchanged == ["TST-001"] and not again.added
    assert not staged, "an import that changed nothing announces nothing"
    path = write(tmp_path / "c.csv", [{**GOOD, "name": "Otra"}])
    changed = import_catalogue(engine, path, stage=stage)
    assert changed.changed == ["TST-001"]
    assert [type(e) for e in staged] == [ReferenceDataChanged]
    assert staged[0].what == "catalogue"  # type: ignore[attr-defined]


def test_alcaldia_route_needs_an_alcaldia_unit(engine: Engine, tmp_path: Path) -> None:
    rows = [
        {**GOOD, "code": "TST-010", "authority": "ALCALDIA", "unit": "DGSU"},
        {**GOOD, "code": "TST-011", "authority": "ALCALDIA", "unit": "DEO"},
    ]
    report = import_catalogue(engine, write(tmp_path / "a.csv", rows))
    assert report.added == ["TST-010"]
    assert [r.code for r in report.rejected] == ["TST-011"]


def test_unreadable_files_are_refused_whole(engine: Engine, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,name,kind,tema,authority,unit\nX-1,Año,servicio\n".encode("latin-1"))
    with pytest.raises(CatalogueFileError, match="UTF-8"):
        import_catalogue(engine, latin1)
    headerless = tmp_path / "sin_encabezado.csv"
    headerless.write_text("code,nombre\nX,Y\n", encoding="utf-8")
    with pytest.raises(CatalogueFileError, match="faltan columnas"):
        import_catalogue(engine, headerless)


def test_extra_columns_in_a_row_are_rejected(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", [GOOD])
    path.write_text(
        path.read_text(encoding="utf-8") + "TST-020," + ",".join(["x"] * 14) + "\n",
        encoding="utf-8",
    )
    report = import_catalogue(engine, path)
    assert report.rejected[0].reason == "la fila tiene más columnas que el encabezado"

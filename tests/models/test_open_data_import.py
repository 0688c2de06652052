"""Importing the City's official 0311 open data: the real sample round-trips field for field,
bad rows are reported with their line and reason, a second import adds nothing, and the
requests get the official alcaldía, a catalogue entry and the row's status."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.authorities import ALCALDIAS
from models.business_days import BusinessCalendar
from models.catalogue import OTHER_TEMA, CatalogueEntry
from models.config import Settings
from models.open_data.files import write_open_data
from models.open_data.importer import OpenDataFileError, import_open_data
from models.open_data.layout import COLUMNS
from models.open_data_rows import OpenDataRow
from models.requests import Channel, ServiceRequest, Status
from suac.container import prepare_database

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdmx" / "0311_sample_2024.csv"
HEADER = ",".join(COLUMNS)
GOOD = (
    "2500001,2024-03-04,10:00:00,APP CDMX,ALUMBRADO,FEMENINO,40,"
    "NA,NA,NA,CERRADO,2024-03-05,NA,NA,NA,NA"
)


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def request_of(engine: Engine, id_folio: str) -> ServiceRequest:
    with Session(engine) as session:
        row = session.exec(select(OpenDataRow).where(OpenDataRow.id_folio == id_folio)).one()
        request = session.get(ServiceRequest, row.request_id)
        assert request is not None
        return request


def import_and_export(engine: Engine, calendar: BusinessCalendar, folder: Path) -> Path:
    report = import_open_data(engine, SAMPLE, calendar=calendar)
    assert (report.added, report.existing, report.rejected) == (628, 0, [])
    write_open_data(engine, folder, calendar=calendar)
    return folder / "solicitudes_0311.csv"


def test_the_sample_round_trips_field_for_field(
    engine: Engine, calendar: BusinessCalendar, tmp_path: Path
) -> None:
    exported = import_and_export(engine, calendar, tmp_path / "out")
    original, again = rows_of(SAMPLE), rows_of(exported)
    assert len(again) == 629
    for before, after in zip(original, again, strict=True):
        assert after == before
    assert exported.read_bytes() == SAMPLE.read_bytes()  # quoting and line ends too


def test_imported_rows_are_historical_requests_with_official_names(
    engine: Engine, calendar: BusinessCalendar
) -> None:
    progress: list[int] = []
    import_open_data(engine, SAMPLE, calendar=calendar, progress=progress.append)
    assert sum(progress) == 628
    with Session(engine) as session:
        requests = list(session.exec(select(ServiceRequest)))
        entries = {e.code: e for e in session.exec(select(CatalogueEntry))}
    assert {r.channel for r in requests} == {Channel.HISTORICAL}
    assert {r.alcaldia for r in requests} <= {None, *ALCALDIAS}
    # "CUAJIMALPA DE MORELOS" / "Cuajimalpa de Morelos", "TLAHUAC" / "Tláhuac"
    assert {"Cuajimalpa de Morelos", "Tláhuac", "Álvaro Obregón"} <= {r.alcaldia for r in requests}
    poda = request_of(engine, "2401098")
    assert entries[poda.catalogue_code].tema == "PODA / RETIRO ARBOL"
    assert poda.source == "INTEROPERABILIDAD XOCHIMILCO"
    assert (poda.citizen_sex, poda.citizen_age, poda.demographics_public) == ("masculino", 48, True)
    assert poda.status == Status.CLOSED and poda.answered_at == poda.closed_at
    assert poda.authority_code is None  # routed by alcaldía, and the row has none
    tlalpan = request_of(engine, "2396876")
    assert (tlalpan.alcaldia, tlalpan.colonia, tlalpan.authority_code) == (
        "Tlalpan",
        "Toriello Guerra",
        "ALC-TLP",
    )
    assert tlalpan.due_at is not None and tlalpan.postal_code == "14050"
    other = [r for r in requests if entries[r.catalogue_code].tema == OTHER_TEMA]
    assert len(other) == 206
    # a row marked open that carries a closing date stays open
    open_with_date = request_of(engine, "2441443")
    assert open_with_date.status in {Status.ASSIGNED, Status.RECEIVED}
    assert open_with_date.answered_at is None and open_with_date.closed_at is None
    # the garbled colonia is replaced by the catalogue's spelling
    garbled = [r for r in requests if r.colonia and "?" in r.colonia]
    assert not garbled


def test_a_second_import_skips_every_folio(engine: Engine, calendar: BusinessCalendar) -> None:
    import_open_data(engine, SAMPLE, calendar=calendar)
    report = import_open_data(engine, SAMPLE, calendar=calendar)
    assert (report.added, report.existing, report.rejected) == (0, 628, [])
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ServiceRequest)).one() == 628


def test_bad_rows_are_reported_with_line_and_reason(
    engine: Engine, calendar: BusinessCalendar, tmp_path: Path
) -> None:
    bad = tmp_path / "malo.csv"
    bad.write_text(
        "\n".join(
            [
                HEADER,
                GOOD,
                GOOD.replace("2024-03-04", "04/03/2024"),
                GOOD.replace("2500001", "", 1),
                GOOD + ",extra",
                GOOD.replace("CERRADO", "PENDIENTE"),
                GOOD.replace("10:00:00", "10h"),
                GOOD.replace(",40,", ",ciento,"),
                GOOD.replace("2500001", "2500002").replace("2024-03-05", "2024-03-01"),
                GOOD.replace("2500001", "2500003"),
                GOOD,  # the same folio again
                '"2500004",2024-03-04,10:00:00,APP CDMX,"RETIRO CASCAJO, ESCOMBRO, AZOLVE, RAMAS",'
                "NA,NA,NA,NA,-1,AUTORIDAD RESPONSABLE,NA,NA,NA,-99.1,91",
                GOOD.replace("2500001", "2500005").replace("ALUMBRADO", "TEMA NUEVO"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = import_open_data(engine, bad, calendar=calendar)
    reasons = {r.line: r.reason for r in report.rejected}
    assert report.added == 3  # lines 2, 10 and 13
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 11, 12}
    assert "fecha_solicitud «04/03/2024» no es una fecha válida" in reasons[3]
    assert reasons[4] == "el folio está vacío"
    assert reasons[5] == "tiene 17 columnas y se esperaban 16"
    assert "estatus «PENDIENTE» desconocido" in reasons[6]
    assert "hora_solicitud «10h»" in reasons[7]
    assert "edad «ciento»" in reasons[8]
    assert reasons[9] == "fecha_concluido es anterior a fecha_solicitud"
    assert reasons[11] == "el folio se repite (ya está en la línea 2)"
    assert "latitud «91»" in reasons[12]
    new = request_of(engine, "2500005")
    with Session(engine) as session:
        entry = session.get(CatalogueEntry, new.catalogue_code)
    assert entry is not None and entry.tema == OTHER_TEMA


def test_a_file_of_another_layout_is_refused(engine: Engine, calendar, tmp_path: Path) -> None:
    other = tmp_path / "otro.csv"
    other.write_text("folio,fecha\n1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(OpenDataFileError, match="encabezado"):
        import_open_data(engine, other, calendar=calendar)


@pytest.mark.postgres
def test_the_sample_round_trips_on_postgresql(
    pg_settings: Settings, calendar: BusinessCalendar, tmp_path: Path
) -> None:
    from models.db import make_engine, upgrade

    upgrade(make_engine(pg_settings.resolved_database_url))
    engine = prepare_database(pg_settings)
    try:
        exported = import_and_export(engine, calendar, tmp_path / "out")
        assert exported.read_bytes() == SAMPLE.read_bytes()
        again = import_open_data(engine, SAMPLE, calendar=calendar)
        assert (again.added, again.existing) == (0, 628)
    finally:
        engine.dispose()

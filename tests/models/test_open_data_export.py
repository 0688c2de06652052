"""Exporting SUAC's own requests in the official 0311 layout: status, channel and tema mapped
onto the official vocabularies, sex and age only with consent, rounded coordinates, nothing
personal in any file; the files written atomically by a periodic task run once per deployment."""

from __future__ import annotations

import csv
import doctest
import json
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.business_days import BusinessCalendar
from models.catalogue import CatalogueEntry
from models.open_data import dictionary, export, layout, names
from models.open_data.dictionary import FIELDS, REQUESTS, STATISTICS
from models.open_data.files import FILES, publish_open_data, write_open_data
from models.open_data.layout import COLUMNS, TIPO_DE_ENTRADA_OF
from models.periodic import Leases, PeriodicTask
from models.public_stats import COLUMNS as STATISTICS_COLUMNS
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, Sex

PERSONAL = (
    "Rosa Elvira Quintanar",
    "5512345678",
    "rosa.quintanar@example.com",
    "Calle Retorno 47",
    "número 1234",
    "mi vecino deja basura",
    "Tras el mercado",
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The open data folder (the test's data folder holds its database)."""
    return tmp_path / "datos-abiertos"


def entry_code(engine: Engine, tema: str) -> str:
    with Session(engine) as session:
        entry = session.exec(select(CatalogueEntry).where(CatalogueEntry.tema == tema)).first()
    assert entry is not None
    return entry.code


async def register(service: RequestService, engine: Engine, **fields: object) -> str:
    data = {
        "catalogue_code": entry_code(engine, "ALUMBRADO"),
        "channel": Channel.ASTERISK_CALL,
        "alcaldia": "Coyoacán",
        "colonia": "Santa Úrsula Coapa",
        "street": "Calle Retorno 47 número 1234",
        "reference": "Tras el mercado",
        "description": "mi vecino deja basura y la lámpara no prende",
        "citizen_name": "Rosa Elvira Quintanar",
        "citizen_phone": "5512345678",
        "citizen_email": "rosa.quintanar@example.com",
        "postal_code": "04650",
        "latitude": 19.3123456,
        "longitude": -99.1498765,
        "citizen_sex": Sex.FEMALE,
        "citizen_age": 52,
        "demographics_public": True,
    }
    request = await service.register(RequestCreate.model_validate({**data, **fields}), actor="test")
    return request.folio


def exported(engine: Engine, calendar: BusinessCalendar, folder: Path) -> dict[str, dict]:
    write_open_data(engine, folder, calendar=calendar)
    with (folder / "solicitudes_0311.csv").open(encoding="utf-8", newline="") as file:
        return {row["id_folio"]: row for row in csv.DictReader(file)}


async def test_native_requests_map_onto_the_official_vocabularies(
    service: RequestService, engine: Engine, calendar: BusinessCalendar, folder: Path
) -> None:
    phoned = await register(service, engine)
    silent = await register(service, engine, channel=Channel.WEB, demographics_public=False)
    window = await register(service, engine, channel=Channel.VENTANILLA, citizen_sex=None)
    app = await register(service, engine, channel=Channel.OPEN311, source="Bache App")
    answered = await register(service, engine, channel=Channel.WHATSAPP)
    rejected = await register(service, engine, channel=Channel.SMS)
    working = await register(service, engine, channel=Channel.TWILIO_CALL)
    request = await service.get(answered)
    await service.answer(
        answered,
        text="Se cambió.",
        responsible_person="Ing. Ana",
        unit_code=request.unit_code or "",
        actor="coy:ana",
    )
    await service.reject(rejected, reason="No procede.", actor="coy:ana")
    await service.start_progress(working, actor="coy:ana")
    rows = exported(engine, calendar, folder)
    assert list(rows) == [phoned, silent, window, app, answered, rejected, working]
    first = rows[phoned]
    local = (await service.get(phoned)).received_at.astimezone(calendar.zone)
    assert first == {
        "id_folio": phoned,
        "fecha_solicitud": local.strftime("%Y-%m-%d"),
        "hora_solicitud": local.strftime("%H:%M:%S"),
        "tipo_de_entrada": "OPERADOR TELEFÓNICO LOCATEL",
        "tema_solicitud": "ALUMBRADO",
        "sexo": "FEMENINO",
        "edad": "52",
        "colonia_solicitud": "SANTA URSULA COAPA",
        "alcaldia_solicitud": "COYOACAN",
        "codigo_postal_solicitud": "04650",
        "estatus": "AUTORIDAD RESPONSABLE",
        "fecha_concluido": "NA",
        "alcaldia_catalogo": "Coyoacán",
        "colonia_catalogo": "Santa Úrsula Coapa",
        "longitud": "-99.150",
        "latitud": "19.312",
    }
    assert (rows[silent]["sexo"], rows[silent]["edad"]) == ("NA", "NA")  # no consent
    assert rows[silent]["tipo_de_entrada"] == "PORTAL CIUDADANO SUAC"
    assert (rows[window]["sexo"], rows[window]["edad"]) == ("NA", "52")
    assert rows[window]["tipo_de_entrada"] == "OPERADOR TELEFÓNICO - VENTANILLA"
    assert rows[app]["tipo_de_entrada"] == "INTEROPERABILIDAD BACHE APP"
    assert (rows[answered]["estatus"], rows[answered]["tipo_de_entrada"]) == (
        "ATENDIDO",
        "OPERADOR TELEFÓNICO LOCATEL",
    )
    assert rows[answered]["fecha_concluido"] == rows[rejected]["fecha_concluido"]
    assert rows[answered]["fecha_concluido"] != "NA"
    assert rows[rejected]["estatus"] == "CERRADO"
    assert rows[working]["estatus"] == "AUTORIDAD RESPONSABLE"


async def test_no_file_carries_personal_data(
    service: RequestService, engine: Engine, calendar: BusinessCalendar, folder: Path
) -> None:
    for channel in Channel:
        if channel != Channel.HISTORICAL:
            await register(service, engine, channel=channel)
    write_open_data(engine, folder, calendar=calendar)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        for secret in (*PERSONAL, "19.3123456", "-99.1498765", "19.31234"):
            assert secret.lower() not in text.lower(), f"{secret} in {path.name}"


async def test_json_and_statistics_and_dictionary(
    service: RequestService, engine: Engine, calendar: BusinessCalendar, folder: Path
) -> None:
    folio = await register(service, engine, demographics_public=False)
    write_open_data(engine, folder, calendar=calendar)
    (item,) = json.loads((folder / "solicitudes_0311.json").read_text(encoding="utf-8"))
    assert list(item) == list(COLUMNS)
    assert item["id_folio"] == folio and item["sexo"] is None and item["latitud"] == "19.312"
    stats = json.loads((folder / "estadisticas_autoridades.json").read_text(encoding="utf-8"))
    coyoacan = next(r for r in stats if r["clave"] == "Coyoacán")
    assert coyoacan["recibidas"] == 1 and coyoacan["ambito"] == "alcaldia"
    with (folder / "estadisticas_autoridades.csv").open(encoding="utf-8") as file:
        assert next(csv.reader(file)) == list(STATISTICS_COLUMNS)
    with (folder / "diccionario_de_datos.csv").open(encoding="utf-8") as file:
        described = [(r["archivo"], r["campo"]) for r in csv.DictReader(file)]
    assert described == [(f.file, f.name) for f in FIELDS]
    assert [n for f, n in described if f == REQUESTS] == list(COLUMNS)
    assert [n for f, n in described if f == STATISTICS] == list(STATISTICS_COLUMNS)
    channels = next(f for f in FIELDS if f.name == "tipo_de_entrada").description
    assert all(text in channels for text in TIPO_DE_ENTRADA_OF.values())


def test_files_are_replaced_whole(engine: Engine, calendar: BusinessCalendar, folder: Path) -> None:
    write_open_data(engine, folder, calendar=calendar)
    before = {p.name: p.stat().st_ino for p in folder.iterdir()}
    write_open_data(engine, folder, calendar=calendar)
    after = {p.name: p.stat().st_ino for p in folder.iterdir()}
    assert set(after) == set(FILES)  # no temporary file left behind
    assert all(before[name] != after[name] for name in FILES)  # renamed over, not rewritten


async def test_the_periodic_task_runs_once_with_two_workers(
    engine: Engine, calendar: BusinessCalendar, folder: Path
) -> None:
    runs: list[str] = []

    def task(holder: str) -> PeriodicTask:
        async def run() -> None:
            runs.append(holder)
            await publish_open_data(engine, folder, calendar=calendar)

        return PeriodicTask(
            name="open-data", interval=86400, run=run, leases=Leases(engine=engine), holder=holder
        )

    first, second = task("w1"), task("w2")
    assert await first.tick() is True
    assert await second.tick() is False
    assert runs == ["w1"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)


@pytest.mark.parametrize("module", [layout, names, export, dictionary])
def test_the_doctests(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0

"""The open data page, with no sign-in: the files with size and generation time, their
downloads (only the known names), the data dictionary, and nothing personal."""

from __future__ import annotations

import asyncio
import doctest
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent_console import open_data_routes
from agent_console.open_data_routes import size_text
from models.config import Settings
from models.open_data.files import FILES, open_data_dir, write_open_data
from models.requests import Channel, RequestCreate, Sex
from suac.web import create_app

PERSONAL = ("Rosa Elvira Quintanar", "5512345678", "rosa@example.com", "Retorno 47", "fuga junto")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None, public={"cache_seconds": 60})
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


def generate(client: TestClient) -> Path:
    container = client.app.state.container
    folder = open_data_dir(container.settings)
    write_open_data(container.engine, folder, calendar=container.calendar)
    return folder


def test_before_the_first_generation_the_page_says_so(client: TestClient) -> None:
    page = client.get("/datos-abiertos")
    assert page.status_code == 200
    assert "Los archivos aún no se han generado" in page.text
    assert 'lang="es' in page.text and "<caption>Archivos disponibles</caption>" in page.text
    assert client.get("/datos-abiertos/solicitudes_0311.csv").status_code == 404


def test_the_page_lists_and_serves_the_files(client: TestClient) -> None:
    container = client.app.state.container
    asyncio.run(
        container.requests.register(
            RequestCreate(
                catalogue_code="AGU-001",
                channel=Channel.WHATSAPP,
                alcaldia="Tlalpan",
                colonia="Toriello Guerra",
                street="Retorno 47",
                description="fuga junto a la escuela",
                citizen_name="Rosa Elvira Quintanar",
                citizen_phone="5512345678",
                citizen_email="rosa@example.com",
                citizen_sex=Sex.FEMALE,
                citizen_age=33,
            ),
            actor="test",
        )
    )
    folder = generate(client)
    page = client.get("/datos-abiertos")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=60"
    assert 'aria-current="page">Datos abiertos' in page.text
    for name, file in FILES.items():
        assert f'href="/datos-abiertos/{name}"' in page.text and file.title in page.text
        stat = (folder / name).stat()
        generated = datetime.fromtimestamp(stat.st_mtime, container.settings.zone)
        assert size_text(stat.st_size) in page.text
        assert f'<time datetime="{generated.isoformat(timespec="seconds")}">' in page.text
    assert "codigo_postal_solicitud" in page.text and "porcentaje_en_plazo" in page.text
    download = client.get("/datos-abiertos/solicitudes_0311.csv")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in download.headers["content-disposition"]
    assert download.content == (folder / "solicitudes_0311.csv").read_bytes()
    assert "Toriello Guerra" in download.text  # the colonia is public
    as_json = client.get("/datos-abiertos/solicitudes_0311.json")
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    for body in [page.text, *(client.get(f"/datos-abiertos/{n}").text for n in FILES)]:
        for secret in PERSONAL:
            assert secret not in body


@pytest.mark.parametrize("name", ["suac.db", "..%2Fsuac.db", "otro.csv", ".solicitudes_0311.csv"])
def test_only_known_files_are_served(client: TestClient, name: str) -> None:
    folder = generate(client)
    (folder / "otro.csv").write_text("secreto", encoding="utf-8")
    response = client.get(f"/datos-abiertos/{name}", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "secreto" not in response.text


def test_the_embedded_worker_publishes_the_files(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, _env_file=None, public={"open_data_dir": tmp_path / "od"}
    )
    with TestClient(create_app(settings)) as test_client:  # every role, the worker's too
        for _ in range(500):
            if (tmp_path / "od" / "diccionario_de_datos.csv").exists():
                break
            test_client.portal.call(asyncio.sleep, 0.01)
        page = test_client.get("/datos-abiertos")
    assert sorted(p.name for p in (tmp_path / "od").iterdir()) == sorted(FILES)
    assert "Los archivos aún no se han generado" not in page.text


def test_the_doctests() -> None:
    assert doctest.testmod(open_data_routes).failed == 0

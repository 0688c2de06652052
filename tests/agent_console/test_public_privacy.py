"""Nothing personal on the public face, anywhere: citizens are seeded with names, phones,
e-mails, streets with numbers, references, descriptions, exact points, and answers and
rejections that name them; then every public page reachable from the public pages' links
(downloads of the open data files included), every public API answer (JSON and XML) and the
open data files are read, and any of those data found in them fails the test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.open_data.files import open_data_dir, write_open_data
from models.requests import Channel, RequestCreate, Sex
from suac.web import create_app

CITIZENS = (
    {
        "citizen_name": "Genoveva Quintanilla Ruelas",
        "citizen_phone": "+525587654321",
        "citizen_email": "genoveva.q@example.mx",
        "street": "Calle Tulipanes 4821",
        "reference": "zaguán azul",
        "description": "El xilófono del vecino y la fuga frente a mi casa",
        "latitude": 19.432617,
        "longitude": -99.133218,
        "citizen_sex": Sex.FEMALE,
        "citizen_age": 73,
    },
    {
        "citizen_name": "Eustaquio Villaseñor",
        "citizen_phone": "5544332211",
        "citizen_email": "eustaquio@correo.example",
        "street": "Privada Jacarandas 917",
        "reference": "tienda La Esperanza",
        "description": "Bache enorme donde estaciono mi camioneta roja",
    },
)
SECRETS = (
    "Genoveva",
    "Quintanilla",
    "Ruelas",
    "87654321",
    "8765 4321",
    "genoveva.q",
    "Tulipanes",
    "4821",
    "zaguán azul",
    "xilófono",
    "19.4326",
    "99.1332",
    "Eustaquio",
    "Villaseñor",
    "44332211",
    "4433 2211",
    "eustaquio@",
    "Jacarandas",
    "La Esperanza",
    "camioneta roja",
    "Le cambiamos",
    "no procede",
)
PAGES = (
    "/folio",
    "/reportar",
    "/aviso-de-privacidad",
    "/tablero",
    "/estadisticas",
    "/datos-abiertos",
)
PUBLIC_PREFIXES = (*PAGES, "/api/public/", "/open311/v2/")
LINK = re.compile(r"""href=["']([^"'#]+)""")
STARTS = (
    *PAGES,
    "/api/public/tablero",
    "/estadisticas.json",
    "/estadisticas.csv",
    "/open311/v2/discovery.json",
    "/open311/v2/services.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None, public={"cache_seconds": 60})
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


def seed(client: TestClient) -> list[str]:
    """The citizens' requests: one answered naming her, one rejected naming him, one open."""
    container = client.app.state.container
    service = container.requests
    folios = []
    codes = ("AGU-001", "VIA-001", "ALU-001")
    for code, citizen in zip(codes, (*CITIZENS, CITIZENS[0]), strict=True):
        request = client.portal.call(
            partial(service.register, actor="web"),
            RequestCreate(
                catalogue_code=code,
                channel=Channel.WEB,
                alcaldia="Cuauhtémoc",
                colonia="Centro",
                **citizen,
            ),
        )
        folios.append(request.folio)
    first = client.portal.call(service.get, folios[0])
    client.portal.call(
        partial(
            service.answer,
            folios[0],
            text="Le cambiamos la tubería a Genoveva Quintanilla en Calle Tulipanes 4821.",
            responsible_person="Ing. Pedro Ruiz",
            unit_code=first.unit_code,
            actor="autoridad",
        )
    )
    client.portal.call(
        partial(
            service.reject,
            folios[1],
            reason="no procede: Eustaquio Villaseñor reporta en Privada Jacarandas 917",
            actor="autoridad",
        )
    )
    folder = open_data_dir(container.settings)
    write_open_data(container.engine, folder, calendar=container.calendar)
    return folios


def crawl(client: TestClient, starts: list[str], limit: int = 400) -> dict[str, str]:
    """Every public address reachable from ``starts`` by links: address → body."""
    seen: dict[str, str] = {}
    pending = list(starts)
    while pending and len(seen) < limit:
        address = pending.pop(0)
        if address in seen:
            continue
        response = client.get(address)
        assert response.status_code < 500, f"{address}: {response.status_code}"
        seen[address] = response.text
        if "html" not in response.headers.get("content-type", ""):
            continue
        for link in LINK.findall(response.text):
            target = urljoin(address, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if not parts.netloc and parts.path.startswith(PUBLIC_PREFIXES):
                pending.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_no_public_page_api_or_file_shows_personal_data(client: TestClient) -> None:
    folios = seed(client)
    starts = list(STARTS)
    for folio in folios:
        starts += [
            f"/folio?folio={folio}",
            f"/api/public/folios/{folio}",
            f"/open311/v2/requests/{folio}.json",
            f"/open311/v2/requests/{folio}.xml",
        ]
    seen = crawl(client, starts)
    downloads = [address for address in seen if address.startswith("/datos-abiertos/")]
    assert len(downloads) >= 5, downloads  # every open data file was read
    assert any(folios[0] in body for body in seen.values())  # the requests are there
    leaks = {
        address: [secret for secret in SECRETS if secret in body] for address, body in seen.items()
    }
    leaks = {address: found for address, found in leaks.items() if found}
    assert not leaks, f"personal data on the public face: {leaks}"
    for file in open_data_dir(client.app.state.container.settings).iterdir():
        found = [secret for secret in SECRETS if secret in file.read_text(encoding="utf-8")]
        assert not found, f"{file.name}: {found}"

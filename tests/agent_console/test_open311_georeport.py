"""The Open311 API driven by an independent client, ``georeport`` from PyPI, against a real
server: services, a definition, listings and one request, in JSON and in XML; requests are
created with a plain form-encoded HTTP client (georeport does not create)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from georeport import GeoReport

from models.config import Settings
from suac.web import create_app
from tests.agent_console.open311_support import add_key, validate
from tests.browser.live_server import LiveServer
from tests.tests_support import free_port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(Settings(data_dir=tmp_path, _env_file=None), roles={"web"})
    live = LiveServer(app, free_port())
    live.start()
    try:
        yield live
    finally:
        live.stop()


def _create(server: LiveServer, api_key: str, code: str, **place: str) -> str:
    response = httpx.post(
        f"{server.url}/open311/v2/requests.json",
        data={"api_key": api_key, "service_code": code, "first_name": "Rosa", **place},
    )
    assert response.status_code == 200, response.text
    validate(response.json(), "request-response.json")
    return str(response.json()[0]["service_request_id"])


def test_georeport_reads_services_and_requests(server: LiveServer) -> None:
    api_key = add_key(server.container.engine, "Mapa ciudadano")
    pothole = _create(
        server,
        api_key,
        "VIA-001",
        lat="19.3",
        long="-99.15",
        **{"attribute[alcaldia]": "Tlalpan", "attribute[road_class]": "secundaria"},
    )
    water = _create(server, api_key, "AGU-001", address_string="Colonia Roma Norte")
    client = GeoReport(f"{server.url}/open311/v2", api_key=api_key)

    services = client.get_service_list()
    validate(services, "services.json")
    assert {"VIA-001", "AGU-001"} <= {s["service_code"] for s in services}
    definition = client.get_service_definition("VIA-001")
    validate(definition, "service-definition.json")
    assert definition["attributes"][0]["code"] == "alcaldia"

    listed = client.get_service_requests(status="open")
    validate(listed, "requests.json")
    assert [r["service_request_id"] for r in listed] == [water, pothole]
    only_water = client.get_service_requests(service_code="AGU-001")
    assert [r["service_request_id"] for r in only_water] == [water]
    assert client.get_service_requests(status="closed") == []
    found = client.get_service_request(pothole)
    validate([found], "requests.json")
    assert found["status"] == "open" and found["address"] == "Tlalpan, Ciudad de México"
    assert "Rosa" not in str(listed) + str(found)

    xml = GeoReport(f"{server.url}/open311/v2", output_format="xml")
    names = {s["service_code"]: s["service_name"] for s in xml.get_service_list()}
    assert names["VIA-001"] == "Bache en calle"
    attributes = xml.get_service_definition("VIA-001")["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["alcaldia", "colonia", "road_class"]
    one = xml.get_service_request(water)
    assert one["service_request_id"] == water and one["status"] == "open"
    assert one["address"] == "Roma Norte, Cuauhtémoc, Ciudad de México"
    assert len(xml.get_service_requests(service_request_id=f"{water},{pothole}")) == 2

"""Open311 GeoReport v2: services from the catalogue, requests created with an API key through
a plain form-encoded client, read back with SUAC's statuses mapped to open/closed; every JSON
answer checked against the shared Open311 schemas, and the XML carrying the same data."""

from __future__ import annotations

import doctest
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

import agent_console.open311.listing
import agent_console.open311.serializers
import models.open311_services
from agent_console.open311.limits import Open311Limiter, TooManyCalls
from models.catalogue import CatalogueEntry
from models.config import PublicSettings, Settings
from models.db import make_engine, session_scope, upgrade
from models.db_types import utcnow
from models.folio import make_folio
from models.requests import Channel, RequestCreate, ServiceRequest
from suac.web import create_app
from tests.agent_console.open311_support import (
    DISCOVERY_SCHEMA,
    ERRORS_SCHEMA,
    add_key,
    validate,
)
from tests.agent_console.privacy_support import ROSA_SECRETS

API = "/open311/v2"
PLACE = {"attribute[alcaldia]": "Tlalpan", "attribute[colonia]": "toriello guerra"}
UNKNOWN = make_folio(26, 99999)  # a folio that parses but no request carries


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


@pytest.fixture
def api_key(client: TestClient) -> str:
    return add_key(client.app.state.container.engine)


def create(client: TestClient, api_key: str, **fields: str) -> str:
    """Create a request with a form-encoded POST; its folio."""
    data = {"api_key": api_key, "service_code": "VIA-001", "lat": "19.29", "long": "-99.17"}
    response = client.post(f"{API}/requests.json", data={**data, **PLACE, **fields})
    assert response.status_code == 200, response.text
    validate(response.json(), "request-response.json")
    return str(response.json()[0]["service_request_id"])


def stored(client: TestClient, folio: str) -> ServiceRequest:
    with session_scope(client.app.state.container.engine, readonly=True) as session:
        return session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()


def one(client: TestClient, folio: str) -> dict:
    response = client.get(f"{API}/requests/{folio}.json")
    assert response.status_code == 200, response.text
    validate(response.json(), "requests.json")
    [found] = response.json()
    return found


def test_the_modules_examples_hold() -> None:
    for module in (
        models.open311_services,
        agent_console.open311.serializers,
        agent_console.open311.listing,
    ):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_discovery_names_the_endpoint_and_its_formats(client: TestClient) -> None:
    response = client.get(f"{API}/discovery.json")
    assert response.status_code == 200
    validate(response.json(), DISCOVERY_SCHEMA)
    [endpoint] = response.json()["endpoints"]
    assert endpoint["url"].endswith("/open311/v2") and "application/json" in endpoint["formats"]
    xml = ElementTree.fromstring(client.get(f"{API}/discovery.xml").content)
    assert xml.tag == "discovery"
    assert [f.text for f in xml.iter("format")] == ["text/xml", "application/json"]


def test_services_are_the_active_catalogue(client: TestClient) -> None:
    with session_scope(client.app.state.container.engine, readonly=True) as session:
        entries = {e.code: e for e in session.exec(select(CatalogueEntry)) if e.active}
    response = client.get(f"{API}/services.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()
    validate(services, "services.json")
    assert {s["service_code"] for s in services} == set(entries)
    pothole = next(s for s in services if s["service_code"] == "VIA-001")
    assert pothole["service_name"] == "Bache en calle" and pothole["group"] == "BACHEO"
    assert pothole["type"] == "realtime" and pothole["metadata"] is True
    assert "bache" in pothole["keywords"].split(", ")
    xml = ElementTree.fromstring(client.get(f"{API}/services.xml").content)
    assert xml.tag == "services"
    assert {s.findtext("service_code") for s in xml.findall("service")} == set(entries)
    assert xml.find("service/metadata").text == "true"  # type: ignore[union-attr]


def test_definitions_ask_for_what_routing_needs(client: TestClient) -> None:
    pothole = client.get(f"{API}/services/VIA-001.json").json()
    validate(pothole, "service-definition.json")
    attributes = {a["code"]: a for a in pothole["attributes"]}
    assert list(attributes) == ["alcaldia", "colonia", "road_class"]
    assert attributes["alcaldia"]["required"] is True  # the alcaldía answers for potholes
    assert len(attributes["alcaldia"]["values"]) == 16
    assert [v["key"] for v in attributes["road_class"]["values"]] == ["primaria", "secundaria"]
    water = client.get(f"{API}/services/AGU-001.json").json()
    validate(water, "service-definition.json")
    codes = {a["code"]: a["required"] for a in water["attributes"]}
    assert codes == {"alcaldia": False, "colonia": False}  # SACMEX answers anywhere
    xml = ElementTree.fromstring(client.get(f"{API}/services/VIA-001.xml").content)
    assert xml.tag == "service_definition"
    assert [a.findtext("code") for a in xml.iter("attribute")] == list(attributes)
    assert len(xml.findall("attributes/attribute/values/value")) == 18


def test_a_form_creates_a_routed_request_for_the_keys_channel(
    client: TestClient, api_key: str
) -> None:
    folio = create(
        client,
        api_key,
        description="Bache frente al número 12",
        first_name="Rosa",
        last_name="Martínez",
        email="rosa@example.mx",
        phone="55 1111 2222",
        **{"attribute[road_class]": "primaria"},
    )
    request = stored(client, folio)
    assert (request.channel, request.source) == (Channel.OPEN311, "App CDMX")
    assert (request.alcaldia, request.colonia) == ("Tlalpan", "Toriello Guerra")
    assert request.authority_code == "SOBSE", "a primary road goes to SOBSE"
    assert request.citizen_name == "Rosa Martínez"
    assert (request.citizen_phone, request.citizen_email) == ("+525511112222", "rosa@example.mx")
    assert request.description == "Bache frente al número 12"
    found = one(client, folio)
    assert found["service_request_id"] == folio and found["status"] == "open"
    assert found["service_code"] == "VIA-001" and found["service_name"] == "Bache en calle"
    assert found["status_notes"] == "Turnada."
    assert "Obras" in found["agency_responsible"]
    assert found["address"] == "Toriello Guerra, Tlalpan, Ciudad de México"
    assert (found["lat"], found["long"]) == (19.29, -99.17)
    assert found["description"] is None
    expected = request.due_at.astimezone(client.app.state.container.calendar.zone)
    assert found["expected_datetime"] == expected.isoformat(timespec="seconds")
    xml = ElementTree.fromstring(client.get(f"{API}/requests/{folio}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == folio
    assert xml.findtext("request/status") == "open"


def test_an_address_string_gives_the_place_and_stays_private(
    client: TestClient, api_key: str
) -> None:
    response = client.post(
        f"{API}/requests.xml",
        data={
            "api_key": api_key,
            "service_code": "ALU-001",
            "address_string": "Calle Secreta 12, colonia Roma Norte",
        },
    )
    assert response.status_code == 200, response.text
    xml = ElementTree.fromstring(response.content)
    folio = xml.findtext("request/service_request_id") or ""
    assert "turnada" in (xml.findtext("request/service_notice") or "").lower()
    request = stored(client, folio)
    assert (request.alcaldia, request.colonia) == ("Cuauhtémoc", "Roma Norte")
    assert request.street == "Calle Secreta 12, colonia Roma Norte"
    assert request.authority_code == "ALC-CUH"
    found = one(client, folio)
    assert found["address"] == "Roma Norte, Cuauhtémoc, Ciudad de México"
    assert found["lat"] is None and "Secreta" not in str(found)


def _requests(client: TestClient, query: str = "") -> list[dict]:
    response = client.get(f"{API}/requests.json{query}")
    assert response.status_code == 200, response.text
    validate(response.json(), "requests.json")
    return response.json()


def test_statuses_map_to_open_and_closed_with_spanish_notes(
    client: TestClient, api_key: str
) -> None:
    service = client.app.state.container.requests
    answered, rejected, working = (create(client, api_key) for _ in range(3))
    unit = stored(client, answered).unit_code
    client.portal.call(
        partial(
            service.answer,
            answered,
            text="Se reparó el bache de la señora Rosa.",
            responsible_person="Ing. Luis Soto",
            unit_code=unit,
            actor="authority:tlalpan",
        )
    )
    client.portal.call(
        partial(service.reject, rejected, reason="No es un bache: es una obra.", actor="t")
    )
    client.portal.call(partial(service.start_progress, working, actor="authority:tlalpan"))
    notes = {r["service_request_id"]: (r["status"], r["status_notes"]) for r in _requests(client)}
    assert notes[answered][0] == "closed"
    assert notes[answered][1].startswith("Atendida. Responsable: Ing. Luis Soto (")
    assert notes[rejected] == ("closed", "Improcedente.")
    assert notes[working] == ("open", "En proceso.")
    listed = _requests(client, "?status=closed")
    assert {r["service_request_id"] for r in listed} == {answered, rejected}
    both = _requests(client, "?status=open,closed")
    assert len(both) == 3
    text = client.get(f"{API}/requests.json").text + client.get(f"{API}/requests.xml").text
    assert "bache de la señora" not in text and "es una obra" not in text
    closed = one(client, answered)
    assert closed["updated_datetime"] >= closed["requested_datetime"]


def test_listing_by_folios_service_and_period(client: TestClient, api_key: str) -> None:
    first, second = create(client, api_key), create(client, api_key)
    lamp = create(client, api_key, service_code="ALU-001")
    old = create(client, api_key)
    with session_scope(client.app.state.container.engine) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == old)).one()
        request.received_at = utcnow() - timedelta(days=100)
        session.add(request)
    recent = {r["service_request_id"] for r in _requests(client)}
    assert recent == {first, second, lamp}, "by default the last 90 days"
    assert [r["service_request_id"] for r in _requests(client, "?service_code=ALU-001")] == [lamp]
    by_ids = _requests(client, f"?service_request_id={first},{old}&service_code=ALU-001")
    assert {r["service_request_id"] for r in by_ids} == {first, old}, "ids override the rest"
    start = (utcnow() - timedelta(days=120)).date().isoformat()
    end = (utcnow() - timedelta(days=40)).date().isoformat()
    dated = _requests(client, f"?start_date={start}&end_date={end}")
    assert [r["service_request_id"] for r in dated] == [old]
    assert _requests(client, f"?service_request_id={UNKNOWN}") == []


def _error(response, status: int, words: str) -> None:  # noqa: ANN001
    assert response.status_code == status, response.text
    validate(response.json(), ERRORS_SCHEMA)
    [error] = response.json()
    assert error["code"] == status and words in error["description"], error


def test_errors_use_the_specs_format_and_codes(client: TestClient, api_key: str) -> None:
    base = {"api_key": api_key, "service_code": "VIA-001", "lat": "19.29", "long": "-99.17"}
    post = partial(client.post, f"{API}/requests.json")
    _error(post(data={**PLACE, "service_code": "VIA-001", "lat": "19.3"}), 400, "Falta api_key")
    _error(post(data={**base, **PLACE, "api_key": "abc.def"}), 403, "no es válida")
    _error(post(data={**base, **PLACE, "service_code": "NADA"}), 404, "No existe el servicio")
    _error(post(data={**base, **PLACE, "service_code": ""}), 400, "Falta service_code")
    no_place = {k: v for k, v in base.items() if k not in {"lat", "long"}}
    _error(post(data={**no_place, **PLACE}), 400, "Indique el lugar")
    _error(post(data={**base, **PLACE, "lat": "40.7"}), 400, "fuera de la Ciudad")
    _error(post(data={**base, **PLACE, "long": "oeste"}), 400, "grados decimales")
    _error(post(data=base), 400, "attribute[alcaldia]")
    _error(post(data={**base, **PLACE, "attribute[color]": "rojo"}), 400, "desconocido")
    wrong = {**PLACE, "attribute[colonia]": "Roma Norte"}
    _error(post(data={**base, **wrong}), 400, "no es una colonia de Tlalpan")
    _error(post(data={**base, **PLACE, "email": "rosa@"}), 400, "correo")
    _error(post(data={**base, **PLACE, "phone": "12"}), 400, "teléfono")
    get = client.get
    _error(get(f"{API}/requests.json?start_date=2026-01-01&end_date=2026-05-01"), 400, "90 días")
    _error(get(f"{API}/requests.json?start_date=ayer"), 400, "ISO 8601")
    _error(get(f"{API}/requests.json?status=pendiente"), 400, "status")
    _error(get(f"{API}/requests.json?service_request_id=123"), 400, "service_request_id")
    _error(get(f"{API}/requests/{UNKNOWN}.json"), 404, "No existe ninguna solicitud")
    _error(get(f"{API}/services/NADA.json"), 404, "No existe el servicio")
    _error(get(f"{API}/services.csv"), 404, "Formato desconocido")
    xml = ElementTree.fromstring(get(f"{API}/services/NADA.xml").content)
    assert xml.tag == "errors" and xml.findtext("error/code") == "404"


def test_a_revoked_key_is_refused(client: TestClient, api_key: str) -> None:
    from models.api_key_service import revoke_key

    create(client, api_key)
    with session_scope(client.app.state.container.engine) as session:
        revoke_key(session, api_key.partition(".")[0])
    data = {"api_key": api_key, "service_code": "VIA-001", "lat": "19.29", "long": "-99.17"}
    _error(client.post(f"{API}/requests.json", data={**data, **PLACE}), 403, "revocada")


def test_allowances_per_key_and_per_client(tmp_path: Path) -> None:
    public = {"open311_requests_per_key": "2/hour", "open311_reads_per_client": "3/minute"}
    settings = Settings(data_dir=tmp_path, _env_file=None, public=public)
    with TestClient(create_app(settings, roles={"web"})) as client:
        engine = client.app.state.container.engine
        first, second = add_key(engine), add_key(engine, "Chatbot")
        create(client, first)
        create(client, first)
        data = {"api_key": first, "service_code": "VIA-001", "lat": "19.29", "long": "-99.17"}
        limited = client.post(f"{API}/requests.json", data={**data, **PLACE})
        _error(limited, 429, "límite")
        assert 3000 < int(limited.headers["retry-after"]) <= 3600
        create(client, second)  # each key has its own allowance
        for _ in range(3):
            assert client.get(f"{API}/services.json").status_code == 200
        refused = client.get(f"{API}/requests.json")
        _error(refused, 429, "Demasiadas consultas")
        assert 1 <= int(refused.headers["retry-after"]) <= 60


SECRETS = (
    *ROSA_SECRETS,
    "Secreta 12",
    "zaguán verde",
    "Se cambió",
    "no procede",
    "19.29123",
    "-99.17456",
)


def test_no_personal_data_in_any_answer(client: TestClient, api_key: str) -> None:
    service = client.app.state.container.requests
    seeded = client.portal.call(
        partial(service.register, actor="web"),
        RequestCreate(
            catalogue_code="ALU-001",
            channel=Channel.WEB,
            alcaldia="Tlalpan",
            citizen_name="Rosa Martínez",
            citizen_phone="+525511112222",
            citizen_email="rosa@example.mx",
            street="Calle Secreta 12",
            description="La lámpara frente al zaguán verde",
            latitude=19.29123,
            longitude=-99.17456,
        ),
    )
    client.portal.call(
        partial(
            service.answer,
            seeded.folio,
            text="Se cambió la luminaria de la señora Rosa.",
            responsible_person="Ing. Luis Soto",
            unit_code=seeded.unit_code,
            actor="authority:tlalpan",
        )
    )
    rejected = create(
        client,
        api_key,
        first_name="Rosa",
        last_name="Martínez",
        phone="5511112222",
        email="rosa@example.mx",
        address_string="Calle Secreta 12",
        description="Frente al zaguán verde",
        lat="19.29123",
        long="-99.17456",
    )
    client.portal.call(partial(service.reject, rejected, reason="no procede", actor="t"))
    answers = [
        client.get(f"{API}/{path}.{kind}", params=params)
        for kind in ("json", "xml")
        for path, params in (
            ("discovery", {}),
            ("services", {}),
            ("services/ALU-001", {}),
            ("requests", {}),
            ("requests", {"status": "closed"}),
            (f"requests/{seeded.folio}", {}),
            (f"requests/{rejected}", {}),
            ("requests", {"service_request_id": f"{seeded.folio},{rejected}"}),
        )
    ]
    assert all(a.status_code == 200 for a in answers)
    text = "\n".join(a.text for a in answers)
    assert seeded.folio in text and rejected in text
    assert [secret for secret in SECRETS if secret in text] == []
    assert "19.291" in text and "-99.175" in text, "coordinates rounded to about 100 m"


@pytest.mark.postgres
def test_the_api_on_postgresql(pg_settings: Settings) -> None:
    upgrade(make_engine(pg_settings.database_url))
    with TestClient(create_app(pg_settings, roles={"web"})) as client:
        api_key = add_key(client.app.state.container.engine)
        folios = [create(client, api_key), create(client, api_key, service_code="ALU-001")]
        listed = _requests(client, "?status=open")
        assert [r["service_request_id"] for r in listed] == folios[::-1]
        assert one(client, folios[0])["agency_responsible"]
        _error(client.post(f"{API}/requests.json", data={"api_key": "x.y"}), 403, "no es válida")


@pytest.mark.redis
async def test_allowances_are_shared_through_redis(redis_url: str) -> None:
    public = PublicSettings(open311_requests_per_key="2/hour", open311_reads_per_client="1/hour")
    first, second = (Open311Limiter(public, redis_url=redis_url) for _ in range(2))
    key = f"k{time.time_ns()}"
    await first.create(key)
    await second.create(key)
    with pytest.raises(TooManyCalls):
        await first.create(key)
    await second.read(key)
    with pytest.raises(TooManyCalls) as refused:
        await first.read(key)
    assert 3500 < int(refused.value.headers["Retry-After"]) <= 3600

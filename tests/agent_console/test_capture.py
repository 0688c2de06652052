"""Capturing a request on one screen: registration, every bad input, likely duplicates,
attaching the caller, a form sent twice, the service window, and a call's hand-off."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func
from sqlmodel import select
from twilio_rest import FakeTwilioApi

from ivr.twilio.message_jobs import FOLIO_MESSAGE
from models.access_log import PersonalDataView
from models.calls import CallRecord
from models.capture_forms import CaptureForm
from models.config import Settings, TwilioSettings
from models.db import session_scope
from models.outbox import Job
from models.request_supporters import SUPPORTER_NOTE, RequestSupporter
from models.requests import RequestHistory, ServiceRequest
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in

MOBILE, LANDLINE = "55 1234 5678", "200 123 4567"
_FORM_ID = re.compile(r'name="formulario" value="([0-9a-f]{32})"')


@pytest.fixture
def capture_settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    """Embedded defaults with an SMS sender, so registrations queue the folio message."""
    twilio = TwilioSettings(account_sid="AC1", api_base_url=twilio_api.url, sms_sender="LOCATEL")
    return Settings(data_dir=tmp_path, database_url="", redis_url="", twilio=twilio, _env_file=None)


@pytest.fixture
def client(capture_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(capture_settings)) as test_client:
        add_staff(engine_of(test_client), "ana", Role.AGENT)
        assert sign_in(test_client, "ana").status_code == 303
        yield test_client


def engine_of(client: TestClient) -> Engine:
    return client.app.state.container.engine  # type: ignore[attr-defined, no-any-return]


def form_id(client: TestClient, url: str = "/consola/capturar") -> str:
    match = _FORM_ID.search(client.get(url).text)
    assert match
    return match.group(1)


def valid(client: TestClient, **changes: str) -> dict[str, str]:
    return {
        "formulario": form_id(client),
        "tipo": "queja",
        "categoria": "VIA-001",
        "descripcion": "Un bache enorme frente al mercado",
        "alcaldia": "Cuauhtémoc",
        "colonia": "roma norte",
        "calle": "Orizaba 10",
        "referencia": "Frente al mercado",
        "nombre": "Eva Ruiz",
        "telefono": MOBILE,
        "correo": "eva@ejemplo.mx",
        **changes,
    }


def submit(client: TestClient, data: dict[str, Any]) -> Response:
    return post_form(client, "/consola/capturar", data, follow_redirects=False)


def register(client: TestClient, data: dict[str, Any]) -> str:
    response = submit(client, {**data, "accion": "registrar_igual"})
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[-1].split("?")[0]


def count(client: TestClient, table: type) -> int:
    with session_scope(engine_of(client), readonly=True) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def stored(client: TestClient, folio: str) -> ServiceRequest:
    with session_scope(engine_of(client), readonly=True) as session:
        return session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()


def sms_job(client: TestClient, folio: str) -> bool:
    key = f"{FOLIO_MESSAGE}:{folio}"
    with session_scope(engine_of(client), readonly=True) as session:
        return session.exec(select(Job).where(Job.dedupe_key == key)).first() is not None


def field_error(page: str, name: str) -> str:
    """The message shown next to field ``name`` (which must be marked invalid and point to it)."""
    control = re.search(rf'<(?:input|select|textarea) id="{name}"[^>]*>', page)
    assert control, f"no control {name}"
    assert 'aria-invalid="true"' in control.group(), control.group()
    assert f"{name}-error" in control.group()
    message = re.search(rf'<p class="field-error" id="{name}-error">([^<]+)</p>', page)
    assert message, f"no message next to {name}"
    return html.unescape(message.group(1))


def test_registering_shows_the_folio_grouped_with_its_due_date_and_queues_the_sms(
    client: TestClient,
) -> None:
    page = client.get("/consola/capturar")
    assert page.status_code == 200 and "Alt</kbd>+<kbd>R</kbd>" in page.text
    response = submit(client, valid(client))
    assert response.status_code == 303
    done = client.get(response.headers["location"])
    folio = response.headers["location"].rsplit("/", 1)[-1]
    request = stored(client, folio)
    groups = f"{folio[:2]} {folio[2:5]} {folio[5:9]} {folio[9]}"
    assert f'<p class="folio-big" id="folio" aria-label="Folio {groups}">{groups}</p>' in done.text
    assert 'id="vence"' in done.text
    assert "Se enviará un SMS con el folio" in done.text
    assert (request.channel, request.citizen_phone, request.colonia) == (
        "agent",
        "+525512345678",
        "Roma Norte",
    )
    assert (request.kind, request.citizen_email, request.authority_code) == (
        "queja",
        "eva@ejemplo.mx",
        "ALC-CUH",
    )
    assert sms_job(client, folio)
    with session_scope(engine_of(client), readonly=True) as session:
        first = session.exec(select(RequestHistory).order_by(RequestHistory.id)).first()
        assert first is not None and first.actor == "agent:ana"


def test_the_due_date_is_the_services_local_deadline(client: TestClient) -> None:
    folio = register(client, valid(client))
    request = stored(client, folio)
    assert request.due_at is not None
    due = request.due_at.astimezone(client.app.state.container.requests.calendar.zone)  # type: ignore[attr-defined]
    page = client.get(f"/consola/capturar/hecho/{folio}").text
    assert f"<strong>{due:%d/%m/%Y}</strong>" in page


@pytest.mark.parametrize("phone", [LANDLINE, ""], ids=["fijo", "sin-telefono"])
def test_no_sms_for_a_landline_or_no_number(client: TestClient, phone: str) -> None:
    folio = register(client, valid(client, telefono=phone))
    assert not sms_job(client, folio)
    assert "No se enviará SMS" in client.get(f"/consola/capturar/hecho/{folio}").text


BAD_INPUT = [
    ("tipo", {"tipo": "denuncia"}, "Elija un tipo de solicitud"),
    ("categoria", {"categoria": "NO-999"}, "no existe en el catálogo"),
    ("categoria", {"categoria": ""}, "Elija la categoría"),
    ("alcaldia", {"alcaldia": "Ecatepec"}, "16 alcaldías"),
    ("colonia", {"alcaldia": "Tlalpan"}, "no está en Tlalpan, sino en Cuauhtémoc"),
    ("alcaldia", {"alcaldia": ""}, "está en Cuauhtémoc"),
    ("telefono", {"telefono": "55 12"}, "No es un teléfono válido"),
    ("correo", {"correo": "eva@"}, "No es un correo electrónico válido"),
    ("descripcion", {"descripcion": "x" * 4001}, "como máximo 4 000 caracteres"),
    ("calle", {"calle": "x" * 201}, "como máximo 200 caracteres"),
    ("descripcion", {"descripcion": "  "}, "Describa lo que reporta"),
    ("latitud", {"latitud": "40.7", "longitud": "-74"}, "fuera de la Ciudad de México"),
]


@pytest.mark.parametrize(("name", "change", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(
    client: TestClient, name: str, change: dict[str, str], message: str
) -> None:
    data = valid(client, **change)
    response = submit(client, data)
    assert response.status_code == 422
    assert message in field_error(response.text, name)
    assert "no se registró nada" in response.text
    assert html.escape(data["nombre"]) in response.text  # the form keeps what was typed
    assert f'value="{data["formulario"]}"' in response.text
    assert count(client, ServiceRequest) == count(client, CaptureForm) == 0


def test_a_likely_duplicate_by_distance_is_shown_without_the_other_citizens_data(
    client: TestClient,
) -> None:
    first = register(client, valid(client, latitud="19.4326", longitud="-99.1332", calle=""))
    data = valid(client, nombre="Luis Gómez", latitud="19.4330", longitud="-99.1330", calle="")
    response = submit(client, data)
    assert response.status_code == 200 and "Posible duplicado" in response.text
    assert f"{first[:2]}-{first[2:-1]}-{first[-1]}" in response.text
    assert re.search(r"a \d{2} m", response.text)
    assert "Eva Ruiz" not in response.text and "Luis Gómez" in response.text
    assert count(client, ServiceRequest) == 1


def test_a_likely_duplicate_at_the_same_colonia_and_street(client: TestClient) -> None:
    first = register(client, valid(client))
    other_street = submit(client, valid(client, calle="Medellín 20"))
    assert other_street.status_code == 303  # another street: registered without a warning
    response = submit(client, valid(client, calle="orizaba  10", nombre="Luis Gómez"))
    assert "Posible duplicado" in response.text and "misma calle" in response.text
    assert f'name="adjuntar" value="{first}"' in response.text
    assert count(client, ServiceRequest) == 2


def test_registering_anyway_after_the_warning(client: TestClient) -> None:
    register(client, valid(client))
    data = valid(client)
    assert "Posible duplicado" in submit(client, data).text
    second = register(client, data)
    assert count(client, ServiceRequest) == 2 and stored(client, second).street == "Orizaba 10"


def test_attaching_the_caller_to_the_existing_request(client: TestClient) -> None:
    first = register(client, valid(client))
    data = valid(client, nombre="Luis Gómez", telefono="55 8765 4321", correo="")
    response = submit(client, {**data, "adjuntar": first})
    assert response.status_code == 303
    assert response.headers["location"] == f"/consola/capturar/hecho/{first}?adjuntada=true"
    page = client.get(response.headers["location"]).text
    assert "Ciudadano agregado al folio" in page and "otro reportante" in page
    assert count(client, ServiceRequest) == 1
    with session_scope(engine_of(client), readonly=True) as session:
        supporter = session.exec(select(RequestSupporter)).one()
        assert (supporter.citizen_name, supporter.citizen_phone) == ("Luis Gómez", "+525587654321")
        notes = session.exec(select(RequestHistory.note)).all()
    assert SUPPORTER_NOTE in notes
    again = submit(client, {**data, "adjuntar": first})  # the same form sent twice
    assert again.headers["location"] == response.headers["location"]
    assert count(client, RequestSupporter) == 1


def test_attaching_to_a_closed_request_is_refused(client: TestClient) -> None:
    first = register(client, valid(client))
    container = client.app.state.container  # type: ignore[attr-defined]
    client.portal.call(  # type: ignore[union-attr]
        lambda: container.requests.reject(first, reason="Repetida", actor="authority:eva")
    )
    response = submit(client, {**valid(client), "adjuntar": first})
    assert response.status_code == 422 and "ya no está abierta" in response.text
    assert count(client, RequestSupporter) == 0 and count(client, CaptureForm) == 1


def test_a_form_sent_twice_registers_once(client: TestClient) -> None:
    data = valid(client)
    first = submit(client, {**data, "accion": "registrar_igual"})
    second = submit(client, {**data, "accion": "registrar_igual"})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(client, ServiceRequest) == 1


def test_a_service_window_registers_on_its_channel(client: TestClient) -> None:
    page = client.get("/consola/capturar?canal=ventanilla").text
    assert 'name="canal" value="ventanilla"' in page and "ventanilla" in page
    match = _FORM_ID.search(page)
    assert match
    folio = register(client, valid(client, formulario=match.group(1), canal="ventanilla"))
    assert stored(client, folio).channel == "ventanilla"
    assert sms_job(client, folio)
    assert (
        'href="/consola/capturar?canal=ventanilla"'
        in client.get(f"/consola/capturar/hecho/{folio}").text
    )


def test_a_call_hand_off_fills_the_form_and_the_request_is_linked_to_the_call(
    client: TestClient,
) -> None:
    handoff = {
        "caller": "+525512345678",
        "transcript": ["hay un bache enorme en la roma norte"],
        "categories": [{"code": "VIA-001", "name": "Bache en calle", "confidence": 0.7}],
        "alcaldia": "Cuauhtémoc",
        "colonia": "Roma Norte",
        "reference": "frente al mercado",
    }
    with session_scope(engine_of(client)) as session:
        session.add(CallRecord(call_id="CA77", transport="twilio", handoff=handoff))
    page = client.get("/consola/capturar?llamada=CA77").text
    assert '<option value="VIA-001" selected>' in page
    assert "<option selected>Cuauhtémoc</option>" in page
    assert 'value="Roma Norte"' in page and 'value="frente al mercado"' in page
    assert 'value="+525512345678"' in page and "hay un bache enorme" in page
    with session_scope(engine_of(client), readonly=True) as session:
        view = session.exec(select(PersonalDataView)).one()
        assert (view.username, view.call_id) == ("ana", "CA77")
    match = _FORM_ID.search(page)
    assert match
    data = valid(client, formulario=match.group(1), llamada="CA77")
    assert stored(client, register(client, data)).call_id == "CA77"


def test_a_call_without_hand_off_says_so(client: TestClient) -> None:
    page = client.get("/consola/capturar?llamada=CA-NADA").text
    assert "no trae datos del menú" in page


def test_colonias_of_an_alcaldia(client: TestClient) -> None:
    found = client.get("/api/colonias", params={"alcaldia": "Cuauhtémoc", "q": "rom"}).json()
    assert found["colonias"][:3] == ["Roma", "Roma Norte", "Roma Sur"]
    assert client.get("/api/colonias", params={"alcaldia": "Ecatepec"}).json()["colonias"] == []


def test_authority_staff_cannot_capture(client: TestClient) -> None:
    add_staff(engine_of(client), "eva", Role.AUTHORITY, authority_code="SACMEX")
    client.cookies.clear()
    sign_in(client, "eva")
    assert client.get("/consola/capturar").status_code == 403

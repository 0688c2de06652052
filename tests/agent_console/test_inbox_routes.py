"""The authorities' inbox over HTTP: order, filters and pages; one request with the citizen's
data (each view logged); every action, each bad input (422, nothing written), the lifecycle's
refusals, another authority's request (404, nothing changed), bulk answers, and the SMS jobs
each change enqueues."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.access_log import PersonalDataView
from models.config import Settings
from models.db_types import utcnow
from models.folio import format_folio, make_folio
from models.outbox import Job
from models.requests import Channel, RequestCreate, RequestHistory, ServiceRequest, Status
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in

CITIZEN = "+525512345678"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The web role alone (no worker sends the texts), with an SMS sender configured so every
    change enqueues its message job; SACMEX staff, a unit-bound account and SOBSE staff."""
    settings = Settings(data_dir=tmp_path, _env_file=None, twilio={"sms_sender": "+525550000311"})
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "sacmex", Role.AUTHORITY, authority_code="SACMEX")
        add_staff(engine, "deo", Role.AUTHORITY, authority_code="SACMEX", unit_code="DEO")
        add_staff(engine, "sobse", Role.AUTHORITY, authority_code="SOBSE")
        yield test_client


def register(
    client: TestClient, code: str = "AGU-001", alcaldia: str = "Tlalpan", **data: str
) -> str:
    """A request (AGU-001 → SACMEX/DGAP, AGU-002 → SACMEX/DEO, ALU-001 → the alcaldía)."""
    service = client.app.state.container.requests
    request = client.portal.call(
        partial(service.register, actor="agente:ana"),
        RequestCreate(
            catalogue_code=code,
            channel=Channel.AGENT,
            alcaldia=alcaldia,
            citizen_name="Rosa Martínez",
            citizen_phone=CITIZEN,
            street="Calle Secreta 12",
            **data,
        ),
    )
    return request.folio


def stored(client: TestClient, folio: str) -> ServiceRequest:
    with Session(client.app.state.container.engine) as session:
        return session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()


def history(client: TestClient, folio: str) -> list[RequestHistory]:
    request_id = stored(client, folio).id
    with Session(client.app.state.container.engine) as session:
        lines = select(RequestHistory).where(RequestHistory.request_id == request_id)
        return list(session.exec(lines.order_by(col(RequestHistory.id))))


def texts(client: TestClient) -> list[tuple[str, str]]:
    """The status messages enqueued: (folio, status)."""
    with Session(client.app.state.container.engine) as session:
        jobs = session.exec(select(Job).where(Job.kind == "message.status")).all()
    return [(json.loads(j.payload)["folio"], json.loads(j.payload)["status"]) for j in jobs]


def make_due(client: TestClient, folio: str, days: float) -> None:
    """Move a request's deadline ``days`` from now (negative: overdue)."""
    with Session(client.app.state.container.engine) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        request.due_at = utcnow() + timedelta(days=days)
        session.add(request)
        session.commit()


def rows(html: str) -> list[str]:
    """The folios of the inbox's table, in order."""
    return re.findall(r'name="folios" value="(\d{10})"', html)


def test_inbox_lists_overdue_then_due_soon_then_by_due_date(client: TestClient) -> None:
    later, overdue, soon = register(client), register(client), register(client)
    make_due(client, later, 20)
    make_due(client, overdue, -1)
    make_due(client, soon, 0.2)
    foreign = register(client, "ALU-001")
    sign_in(client, "sacmex")
    page = client.get("/bandeja")
    assert page.status_code == 200
    assert rows(page.text) == [overdue, soon, later] and foreign not in page.text
    assert re.search(r'class="state overdue">Vencida<', page.text)
    assert re.search(r'class="state due_soon">Por vencer<', page.text)
    assert "Tlalpan" in page.text and "Falta de agua potable" in page.text
    assert "Rosa" not in page.text and "Calle Secreta" not in page.text


def test_filters_and_pages(client: TestClient) -> None:
    tlalpan = register(client)
    coyoacan = register(client, alcaldia="Coyoacán")
    operation = register(client, "AGU-002")
    sign_in(client, "sacmex")
    post_form(client, f"/bandeja/{coyoacan}/en-proceso", {})
    assert rows(client.get("/bandeja?alcaldia=Coyoacán").text) == [coyoacan]
    assert rows(client.get("/bandeja?estado=in_progress").text) == [coyoacan]
    assert rows(client.get("/bandeja?categoria=AGU-002").text) == [operation]
    assert rows(client.get("/bandeja?unidad=DEO").text) == [operation]
    assert set(rows(client.get("/bandeja?estado=nada&alcaldia=Atlantis").text)) == {
        tlalpan,
        coyoacan,
        operation,
    }
    more = [register(client) for _ in range(50)]
    first, second = client.get("/bandeja"), client.get("/bandeja?pagina=2")
    assert len(rows(first.text)) == 50 and len(rows(second.text)) == 3
    assert "página 1 de 2" in first.text and 'href="/bandeja?pagina=2"' in first.text
    assert set(rows(first.text) + rows(second.text)) == {tlalpan, coyoacan, operation, *more}
    assert rows(client.get("/bandeja?pagina=x").text) == rows(first.text)


def test_a_unit_bound_account_sees_its_unit_only(client: TestClient) -> None:
    water, operation = register(client), register(client, "AGU-002")
    sign_in(client, "deo")
    page = client.get("/bandeja?unidad=DGAP")
    assert rows(page.text) == [operation]
    assert client.get(f"/bandeja/{water}").status_code == 404
    assert post_form(client, f"/bandeja/{water}/en-proceso", {}).status_code == 404
    assert stored(client, water).status == Status.ASSIGNED


def test_detail_shows_the_citizen_and_logs_each_view(client: TestClient) -> None:
    folio = register(client, description="Sin agua desde el lunes")
    sign_in(client, "sacmex")
    page = client.get(f"/bandeja/{format_folio(folio)}")
    assert page.status_code == 200
    for shown in ("Rosa Martínez", CITIZEN, "Calle Secreta 12", "Sin agua desde el lunes"):
        assert shown in page.text
    assert "Estado: recibida → turnada" in page.text
    client.get(f"/bandeja/{folio}")
    with Session(client.app.state.container.engine) as session:
        views = session.exec(select(PersonalDataView)).all()
    assert [(v.username, v.role, v.folio) for v in views] == [("sacmex", "authority", folio)] * 2


def test_another_authority_gets_404_for_reading_and_every_action(client: TestClient) -> None:
    folio = register(client)
    before = len(history(client, folio))
    sign_in(client, "sobse")
    page = client.get(f"/bandeja/{folio}")
    assert page.status_code == 404 and "no existe en su bandeja" in page.text
    assert "Rosa" not in page.text
    missing = client.get(f"/bandeja/{make_folio(2026, 999)}")
    assert missing.status_code == 404 and "no existe en su bandeja" in missing.text
    assert client.get("/bandeja/123").status_code == 404
    actions = {
        "en-proceso": {},
        "respuesta": {"texto": "x", "responsable": "y", "unidad": "DGOIV"},
        "rechazo": {"motivo": "No es nuestro"},
        "unidad": {"unidad_destino": "DGOIV"},
        "turno": {"destino": "SACMEX/DEO", "motivo_turno": "x"},
    }
    for action, data in actions.items():
        for values in (data, {}):  # valid or not, the answer is the same 404
            response = post_form(client, f"/bandeja/{folio}/{action}", values)
            assert response.status_code == 404, action
            assert "no existe en su bandeja" in response.text
    result = post_form(
        client,
        "/bandeja/respuesta-multiple",
        {"folios": [folio], "texto": "x", "responsable": "y", "unidad": "DGOIV"},
    )
    assert result.status_code == 200 and "no existe en su bandeja" in result.text
    assert len(history(client, folio)) == before and stored(client, folio).status == "assigned"
    with Session(client.app.state.container.engine) as session:
        assert session.exec(select(PersonalDataView)).all() == []
    assert texts(client) == []


def test_progress_then_answer_with_every_field_required(client: TestClient) -> None:
    folio = register(client)
    sign_in(client, "sacmex")
    done = post_form(client, f"/bandeja/{folio}/en-proceso", {}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?hecho=en-proceso")
    assert "La solicitud quedó en proceso." in client.get(done.headers["location"]).text
    before = len(history(client, folio))
    bad = post_form(
        client, f"/bandeja/{folio}/respuesta", {"texto": " ", "responsable": "", "unidad": "X"}
    )
    assert bad.status_code == 422
    for field, message in (
        ("texto", "Escriba la respuesta al ciudadano."),
        ("responsable", "Escriba el nombre de la persona responsable."),
        ("unidad", "Elija la unidad administrativa que responde."),
    ):
        assert f'aria-describedby="error-{field}"' in bad.text
        assert f'id="error-{field}">{message}</p>' in bad.text
    too_long = post_form(
        client,
        f"/bandeja/{folio}/respuesta",
        {"texto": "a" * 4001, "responsable": "Ana", "unidad": "DGAP"},
    )
    assert too_long.status_code == 422 and "como máximo 4000" in too_long.text
    assert len(history(client, folio)) == before
    answered = post_form(
        client,
        f"/bandeja/{folio}/respuesta",
        {"texto": "Se reparó la válvula.", "responsable": "Ing. Ana Ruiz", "unidad": "DEO"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    request = stored(client, folio)
    assert (request.status, request.answer_text, request.responsible_person, request.unit_code) == (
        "answered",
        "Se reparó la válvula.",
        "Ing. Ana Ruiz",
        "DEO",
    )
    assert history(client, folio)[-1].actor == "authority:sacmex"
    assert texts(client) == [(folio, "in_progress"), (folio, "answered")]
    again = post_form(client, f"/bandeja/{folio}/en-proceso", {})
    assert again.status_code == 409 and "solo el ciudadano puede reabrirla" in again.text
    page = client.get(f"/bandeja/{folio}")
    assert "ya no admite cambios" in page.text and "Enviar respuesta" not in page.text


def test_reject_needs_a_reason_and_ends_the_request(client: TestClient) -> None:
    folio = register(client)
    sign_in(client, "sacmex")
    bad = post_form(client, f"/bandeja/{folio}/rechazo", {"motivo": "   "})
    assert bad.status_code == 422 and "Escriba el motivo del rechazo." in bad.text
    assert stored(client, folio).status == "assigned"
    post_form(client, f"/bandeja/{folio}/rechazo", {"motivo": "Es un predio particular."})
    request = stored(client, folio)
    assert (request.status, request.rejection_reason) == ("rejected", "Es un predio particular.")
    refused = post_form(
        client,
        f"/bandeja/{folio}/respuesta",
        {"texto": "Listo.", "responsable": "Ana", "unidad": "DGAP"},
    )
    assert refused.status_code == 409
    assert "No se puede pasar una solicitud de «improcedente» a «atendida»." in refused.text
    assert texts(client) == [(folio, "rejected")]


def test_assign_to_a_unit_of_this_authority(client: TestClient) -> None:
    folio = register(client)
    sign_in(client, "sacmex")
    for value, message in (
        ("DGOIV", "Elija una unidad de su dependencia."),
        ("DGAP", "La solicitud ya está en esa unidad; elija otra."),
    ):
        bad = post_form(client, f"/bandeja/{folio}/unidad", {"unidad_destino": value})
        assert bad.status_code == 422 and message in bad.text
    moved = post_form(
        client, f"/bandeja/{folio}/unidad", {"unidad_destino": "DGD"}, follow_redirects=False
    )
    assert moved.headers["location"] == f"/bandeja/{folio}?hecho=asignada"
    assert (stored(client, folio).unit_code, stored(client, folio).status) == ("DGD", "reassigned")
    assert texts(client) == [(folio, "reassigned")]


def test_a_unit_handing_to_a_sibling_unit_loses_it(client: TestClient) -> None:
    folio = register(client, "AGU-002")
    sign_in(client, "deo")
    moved = post_form(
        client, f"/bandeja/{folio}/unidad", {"unidad_destino": "DGAP"}, follow_redirects=False
    )
    assert moved.headers["location"] == f"/bandeja?hecho=asignada-fuera&folio={folio}"
    page = client.get(moved.headers["location"])
    assert "salió de su bandeja" in page.text and rows(page.text) == []


def test_hand_over_to_another_authority_recomputes_the_deadline(client: TestClient) -> None:
    folio = register(client)
    sign_in(client, "sacmex")
    bad = post_form(client, f"/bandeja/{folio}/turno", {"destino": "SACMEX/DEO"})
    assert bad.status_code == 422
    assert "Elija la dependencia y la unidad que recibe." in bad.text
    assert "Escriba por qué se turna a otra dependencia." in bad.text
    handed = post_form(
        client,
        f"/bandeja/{folio}/turno",
        {"destino": "SOBSE/DGOIV", "motivo_turno": "Es la red primaria."},
        follow_redirects=False,
    )
    assert handed.headers["location"] == f"/bandeja?hecho=turnada&folio={folio}"
    request = stored(client, folio)
    calendar = client.app.state.container.requests.calendar
    assert (request.authority_code, request.unit_code) == ("SOBSE", "DGOIV")
    assert request.due_at == calendar.due_at(request.received_at, "SOBSE")
    assert history(client, folio)[-1].note == "Es la red primaria."
    assert client.get(f"/bandeja/{folio}").status_code == 404
    assert texts(client) == [(folio, "reassigned")]
    client.cookies.clear()
    sign_in(client, "sobse")
    assert rows(client.get("/bandeja").text) == [folio]


def test_bulk_answer_reports_each_folio(client: TestClient) -> None:
    first, second, done = register(client), register(client), register(client)
    foreign = register(client, "ALU-001")
    sign_in(client, "sacmex")
    post_form(
        client,
        f"/bandeja/{done}/respuesta",
        {"texto": "Antes.", "responsable": "Ana", "unidad": "DGAP"},
    )
    nothing = post_form(client, "/bandeja/respuesta-multiple", {"texto": "x"})
    assert nothing.status_code == 422
    assert "Seleccione al menos una solicitud." in nothing.text
    assert "Escriba el nombre de la persona responsable." in nothing.text
    missing_text = post_form(
        client,
        "/bandeja/respuesta-multiple",
        {"folios": [first, second], "responsable": "Ana", "unidad": "DGAP"},
    )
    assert (
        missing_text.status_code == 422
        and "Escriba la respuesta al ciudadano." in missing_text.text
    )
    assert missing_text.text.count("checked") == 2 and stored(client, first).status == "assigned"
    result = post_form(
        client,
        "/bandeja/respuesta-multiple",
        {
            "folios": [first, done, foreign, second],
            "texto": "La cuadrilla reparó la red.",
            "responsable": "Ing. Luis Soto",
            "unidad": "DGAP",
        },
    )
    assert result.status_code == 200
    assert "Se respondieron 2 de 4 solicitudes" in result.text
    assert "No se puede pasar una solicitud de «atendida» a «atendida»." in result.text
    assert f"La solicitud {format_folio(foreign)} no existe en su bandeja." in result.text
    for folio in (first, second):
        answered = [h for h in history(client, folio) if h.to_value == "answered"]
        assert [h.note for h in answered] == ["La cuadrilla reparó la red."]
    assert sorted(texts(client)) == sorted(
        [(done, "answered"), (first, "answered"), (second, "answered")]
    )
    assert stored(client, foreign).status == "assigned"

"""A citizen's own report through the public form, as a browser without JavaScript sends it:
the classifier's proposals, the place, contact and consent, the folio with its due date,
likely duplicates to join, a form sent twice, every bad input, the limit per client, and no
personal data on any page it shows."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func
from sqlmodel import select

from agent_console.citizen_report_routes import ReportLimiter
from agent_console.templating import local_time
from models.config import PublicSettings, Settings
from models.db import make_engine, session_scope, upgrade
from models.folio import format_folio
from models.request_supporters import RequestSupporter
from models.requests import Channel, RequestCreate, RequestHistory, ServiceRequest
from suac.web import create_app
from tests.agent_console.console_support import post_form

_FORM_ID = re.compile(r'name="formulario" value="([0-9a-f]{32})"')
_ERRORS = re.compile(r'class="field-error" id="([a-z_]+)-error">([^<]*)<')
BACHE = "Hay un bache enorme en la calle, un ciclista casi se mata"
PLACE = {"alcaldia": "Cuauhtémoc", "colonia": "roma norte"}
POINT = {"latitud": "19.4190", "longitud": "-99.1620"}
NEARBY = {"latitud": "19.41905", "longitud": "-99.16205"}  # 7.6 m away
OTHER_CITIZEN = {
    "citizen_name": "Rosa Martínez Secreta",
    "citizen_phone": "+525511112222",
    "citizen_email": "rosa.secreta@example.mx",
    "street": "Calle Privada Escondida 12",
    "description": "Frente a mi casa azul hay un hoyo",
}
SECRETS = ("Rosa", "5511112222", "1111 2222", "rosa.secreta", "Escondida", "casa azul")


def settings_for(tmp_path: Path, **public: Any) -> Settings:
    return Settings(data_dir=tmp_path, database_url="", redis_url="", public=public, _env_file=None)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path), roles={"web"})) as test_client:
        yield test_client


def engine_of(client: TestClient) -> Engine:
    return client.app.state.container.engine  # type: ignore[attr-defined, no-any-return]


def start(client: TestClient) -> str:
    """Open the form (step 1) and return its one-time id."""
    page = client.get("/reportar")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    match = _FORM_ID.search(page.text)
    assert match
    return match.group(1)


def describe(client: TestClient, form_id: str, text: str = BACHE) -> Response:
    """Step 1 → step 2: the description, to get the classifier's proposals."""
    data = {"formulario": form_id, "paso": "describir", "descripcion": text}
    return post_form(client, "/reportar", data)


def send(client: TestClient, form_id: str, **fields: str) -> Response:
    """Step 2: the whole report (a bache in Roma Norte unless ``fields`` say otherwise)."""
    data = {
        "formulario": form_id,
        "paso": "detalles",
        "accion": "enviar",
        "descripcion": BACHE,
        "categoria": "VIA-001",
        **PLACE,
        **fields,
    }
    return post_form(client, "/reportar", data, follow_redirects=False)


def report(client: TestClient, **fields: str) -> Response:
    form_id = start(client)
    describe(client, form_id)
    return send(client, form_id, **fields)


def errors_of(response: Response) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in _ERRORS.findall(response.text)}


def requests_in(client: TestClient) -> list[ServiceRequest]:
    with session_scope(engine_of(client), readonly=True) as session:
        return list(session.exec(select(ServiceRequest).order_by(ServiceRequest.id)))


def seed(client: TestClient, **fields: Any) -> str:
    """A request registered by another channel (an agent), with another citizen's data."""
    container = client.app.state.container  # type: ignore[attr-defined]
    data = {"catalogue_code": "VIA-001", "channel": Channel.AGENT, **PLACE, **fields}
    data["colonia"] = "Roma Norte"
    registered = client.portal.call(
        partial(container.requests.register, actor="agente:ana"), RequestCreate(**data)
    )
    return registered.folio  # type: ignore[no-any-return]


def assert_no_personal_data(*pages: Response) -> None:
    for page in pages:
        text = html.unescape(page.text)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} shown on {page.url}"


def test_a_plain_form_post_registers_a_web_request_and_shows_its_folio_and_due_date(
    client: TestClient,
) -> None:
    form_id = start(client)
    proposals = describe(client, form_id)
    assert proposals.status_code == 200
    assert 'value="VIA-001" checked' in proposals.text  # the classifier's confident best
    assert proposals.headers["permissions-policy"].endswith("geolocation=(self)")
    response = send(client, form_id, nombre="Eva Ruiz", telefono="55 1234 5678", **POINT)
    assert response.status_code == 303
    assert response.headers["location"] == f"/reportar/hecho/{form_id}"
    [registered] = requests_in(client)
    assert registered.channel == Channel.WEB and registered.source == "reportar"
    assert (registered.alcaldia, registered.colonia) == ("Cuauhtémoc", "Roma Norte")
    assert registered.citizen_phone == "+525512345678" and registered.latitude == 19.419
    assert registered.authority_code and registered.due_at is not None
    done = client.get(response.headers["location"])
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    display = format_folio(registered.folio)
    assert f'id="folio">{display}<' in done.text
    assert f"<strong>{local_time(registered.due_at, '%d/%m/%Y')}</strong>" in done.text
    assert f"/folio?folio={display}" in done.text
    assert "Eva" not in done.text and "5678" not in done.text and BACHE not in done.text
    with session_scope(engine_of(client), readonly=True) as session:
        actors = session.exec(
            select(RequestHistory.actor).where(RequestHistory.request_id == registered.id)
        ).all()
    assert "ciudadano:web" in actors


def test_the_pages_need_no_script_and_carry_none_inline(client: TestClient) -> None:
    form_id = start(client)
    pages = [client.get("/reportar"), describe(client, form_id), client.get("/aviso-de-privacidad")]
    for page in pages:
        assert page.status_code == 200
        assert '<html lang="es-MX">' in page.text
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page.text)
        assert "style=" not in page.text and "onclick" not in page.text
        assert (
            re.search(r'<form method="post" action="/reportar"', page.text)
            or "aviso" in page.url.path
        )


def test_without_proposals_the_full_list_is_chosen(client: TestClient) -> None:
    form_id = start(client)
    page = describe(client, form_id, "qwerty zxcvb")
    assert "No encontramos una categoría" in page.text
    assert 'id="categoria-otra" value="otra" checked' in page.text
    assert '<option value="VIA-001"' in page.text  # the whole catalogue, by tema
    response = send(client, form_id, categoria="otra", otra_categoria="ALU-001")
    assert response.status_code == 303
    assert requests_in(client)[0].catalogue_code == "ALU-001"


def test_the_description_names_the_place_and_it_is_proposed(client: TestClient) -> None:
    form_id = start(client)
    page = describe(client, form_id, "Hay un bache en la colonia Roma Norte de Cuauhtémoc")
    assert "<option selected>Cuauhtémoc</option>" in page.text
    assert 'id="colonia" name="colonia" type="text" value="Roma Norte"' in page.text
    assert '<option value="Condesa">' in page.text  # the alcaldía's colonias, in the datalist


def test_an_empty_description_is_asked_for_again(client: TestClient) -> None:
    form_id = start(client)
    response = describe(client, form_id, "   ")
    assert response.status_code == 422
    assert errors_of(response) == {"descripcion": "Describa el problema que quiere reportar."}
    assert 'name="paso" value="describir"' in response.text


def test_bad_input_gets_a_spanish_message_per_field_and_keeps_what_was_typed(
    client: TestClient,
) -> None:
    form_id = start(client)
    response = send(
        client,
        form_id,
        categoria="",
        alcaldia="",
        colonia="",
        nombre="Eva Ruiz",
        telefono="12",
        correo="eva@",
        edad="ciento",
        sexo="otro",
        latitud="19.9",
        longitud="-99.1",
    )
    assert response.status_code == 422
    errors = errors_of(response)
    assert errors == {
        "categoria": "Elija la categoría que mejor describe el problema.",
        "alcaldia": "Elija la alcaldía donde está el problema.",
        "latitud": "Esas coordenadas quedan fuera de la Ciudad de México.",
        "telefono": "No es un teléfono válido: escriba los 10 dígitos (55 1234 5678).",
        "correo": "No es un correo electrónico válido (nombre@dominio.mx).",
        "sexo": "Elija una opción de la lista, o déjelo sin elegir.",
        "edad": "Escriba su edad en años, con número (de 12 a 120).",
        "publicar": "Marque la casilla para aceptar que se publiquen su sexo y edad, "
        "o deje esos dos datos vacíos.",
    }
    for typed in ('value="Eva Ruiz"', 'value="12"', 'value="eva@"', 'value="ciento"'):
        assert typed in response.text
    assert BACHE in response.text and 'aria-invalid="true"' in response.text
    assert "su reporte aún no se ha enviado" in response.text
    assert requests_in(client) == []


def test_the_colonia_must_be_of_the_alcaldia_or_a_point_given(client: TestClient) -> None:
    form_id = start(client)
    wrong = send(client, form_id, alcaldia="Tlalpan", colonia="Roma Norte")
    assert errors_of(wrong) == {
        "colonia": "La colonia «Roma Norte» no está en Tlalpan, sino en Cuauhtémoc."
    }
    missing = send(client, form_id, colonia="")
    assert "colonia" in errors_of(missing)
    assert send(client, form_id, colonia="", **POINT).status_code == 303


def test_choosing_an_alcaldia_without_javascript_lists_its_colonias(client: TestClient) -> None:
    form_id = start(client)
    page = send(client, form_id, accion="colonias", alcaldia="Tlalpan", colonia="")
    assert page.status_code == 200 and errors_of(page) == {}
    assert '<option value="Tlalpan Centro">' in page.text
    assert '<option value="Roma Norte">' not in page.text
    assert requests_in(client) == []
    listed = client.get("/reportar/colonias", params={"alcaldia": "Tlalpan"})
    assert "Tlalpan Centro" in listed.json()["colonias"]
    assert listed.headers["cache-control"].startswith("public")


def test_a_likely_duplicate_is_offered_without_the_other_citizens_data_and_joined(
    client: TestClient,
) -> None:
    existing = seed(client, latitude=19.419, longitude=-99.162, **OTHER_CITIZEN)
    form_id = start(client)
    describe(client, form_id)
    offer = send(client, form_id, nombre="Eva Ruiz", telefono="55 1234 5678", **NEARBY)
    assert offer.status_code == 200
    assert f"Sumarme a la solicitud {format_folio(existing)}" in offer.text
    assert "a 8 m" in offer.text
    assert_no_personal_data(offer)
    assert len(requests_in(client)) == 1
    joined = send(
        client, form_id, nombre="Eva Ruiz", telefono="55 1234 5678", sumarme=existing, **NEARBY
    )
    assert joined.status_code == 303
    done = client.get(joined.headers["location"])
    assert "Se sumó a una solicitud que ya estaba abierta" in done.text
    assert format_folio(existing) in done.text
    assert_no_personal_data(done)
    assert len(requests_in(client)) == 1
    with session_scope(engine_of(client), readonly=True) as session:
        [supporter] = session.exec(select(RequestSupporter)).all()
    assert supporter.channel == Channel.WEB and supporter.actor == "ciudadano:web"
    assert (supporter.citizen_name, supporter.citizen_phone) == ("Eva Ruiz", "+525512345678")


def test_only_a_request_that_was_offered_can_be_joined(client: TestClient) -> None:
    far_away = seed(client, latitude=19.30, longitude=-99.19)
    form_id = start(client)
    for target in (far_away, "2600000019"):
        refused = send(client, form_id, sumarme=target, **POINT)
        assert refused.status_code == 422
        assert errors_of(refused)["sumarme"].startswith("Esa solicitud ya no está abierta")
    with session_scope(engine_of(client), readonly=True) as session:
        assert session.exec(select(RequestSupporter)).all() == []
    assert len(requests_in(client)) == 1


def test_another_problem_near_a_duplicate_gets_its_own_folio(client: TestClient) -> None:
    seed(client, latitude=19.419, longitude=-99.162)
    form_id = start(client)
    assert "Sumarme" in send(client, form_id, **NEARBY).text
    response = send(client, form_id, accion="registrar_igual", **NEARBY)
    assert response.status_code == 303
    assert len(requests_in(client)) == 2


def test_a_form_sent_twice_registers_one_folio(client: TestClient) -> None:
    form_id = start(client)
    first = send(client, form_id)
    second = send(client, form_id)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(requests_in(client)) == 1


def test_the_reports_of_one_client_are_limited(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, reports_per_client="2/hour;10/day")
    with TestClient(create_app(settings, roles={"web"})) as client:
        assert report(client).status_code == 303
        assert report(client).status_code == 303
        refused = report(client)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        assert "Se enviaron demasiados reportes desde esta conexión" in refused.text
        assert BACHE in refused.text  # what was typed stays on the page
        assert describe(client, start(client)).status_code == 429  # refused from the start
        assert len(requests_in(client)) == 2


def test_sex_and_age_are_kept_only_with_the_consent_to_publish_them(client: TestClient) -> None:
    form_id = start(client)
    refused = send(client, form_id, sexo="femenino", edad="34")
    assert set(errors_of(refused)) == {"publicar"} and requests_in(client) == []
    assert send(client, form_id, sexo="femenino", edad="34", publicar="si").status_code == 303
    assert report(client, publicar="si").status_code == 303  # consent, nothing to publish
    assert report(client, edad="71", publicar="si").status_code == 303
    assert report(client).status_code == 303
    kept = [(r.citizen_sex, r.citizen_age, r.demographics_public) for r in requests_in(client)]
    assert kept == [
        ("femenino", 34, True),
        (None, None, False),
        (None, 71, True),
        (None, None, False),
    ]


def test_the_privacy_notice_is_shown_with_the_contact_fields_and_in_full(
    client: TestClient,
) -> None:
    page = describe(client, start(client))
    assert "Aviso de privacidad simplificado" in page.text
    assert "derechos ARCO" in page.text and 'href="/aviso-de-privacidad"' in page.text
    notice = client.get("/aviso-de-privacidad")
    assert notice.status_code == 200 and notice.headers["cache-control"].startswith("public")
    for part in ("Responsable", "Para qué los usamos", "Con quién los compartimos", "ARCO"):
        assert part in notice.text


def test_a_report_without_its_token_or_with_a_bad_form_id_is_refused(client: TestClient) -> None:
    form_id = start(client)
    forged = client.post("/reportar", data={"formulario": form_id, "descripcion": BACHE})
    assert forged.status_code == 403
    bad = send(client, "no-es-un-id")
    assert bad.status_code == 422 and "formulario" in errors_of(bad)
    assert _FORM_ID.search(bad.text)  # a fresh id, to send again
    assert requests_in(client) == []


def test_the_folio_page_of_an_unknown_form_says_so(client: TestClient) -> None:
    for address in ("/reportar/hecho/" + "0" * 32, "/reportar/hecho/2600000019"):
        page = client.get(address)
        assert page.status_code == 404 and "No encontramos ese reporte" in page.text


def test_no_page_of_the_report_shows_another_citizens_data(client: TestClient) -> None:
    seed(client, latitude=19.5, longitude=-99.1, **OTHER_CITIZEN)
    form_id = start(client)
    pages = [client.get("/reportar"), describe(client, form_id)]
    response = send(client, form_id)
    pages += [response, client.get(response.headers["location"])]
    pages.append(client.get("/reportar/colonias", params={"alcaldia": "Cuauhtémoc"}))
    assert_no_personal_data(*pages)
    with session_scope(engine_of(client), readonly=True) as session:
        assert session.exec(select(func.count()).select_from(ServiceRequest)).one() == 2


@pytest.mark.redis
async def test_reports_are_counted_across_processes_through_redis(redis_url: str) -> None:
    settings = PublicSettings(reports_per_client="3/hour")
    client = f"203.0.113.{uuid.uuid4().hex}"  # Redis keeps an hour of counts: this run's only
    web_1 = ReportLimiter(settings, redis_url=redis_url)
    web_2 = ReportLimiter(settings, redis_url=redis_url)
    assert await web_1.count(client) and await web_2.count(client)
    assert await web_1.blocked_until(client) is None
    assert await web_2.count(client)
    assert not await web_1.count(client)
    until = await web_2.blocked_until(client)
    assert until is not None and 0 < (until - datetime.now(UTC)).total_seconds() <= 3600
    assert await web_2.blocked_until(f"{client}-other") is None


@pytest.mark.postgres
def test_the_report_on_postgresql(pg_settings: Settings) -> None:
    upgrade(make_engine(pg_settings.database_url))
    with TestClient(create_app(pg_settings, roles={"web"})) as client:
        form_id = start(client)
        first, again = send(client, form_id, **POINT), send(client, form_id, **POINT)
        assert first.headers["location"] == again.headers["location"]
        [registered] = requests_in(client)
        assert registered.channel == Channel.WEB
        joiner = start(client)
        assert "Sumarme" in send(client, joiner, **NEARBY).text
        joined = send(client, joiner, sumarme=registered.folio, **NEARBY)
        assert format_folio(registered.folio) in client.get(joined.headers["location"]).text
        assert len(requests_in(client)) == 1

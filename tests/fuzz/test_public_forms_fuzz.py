"""The public forms and the Open311 creation fuzzed with hypothesis: a citizen's report
(``/reportar``) and the folio look-up with proof (``/folio``), each posted with the page's
CSRF token, and ``POST /open311/v2/requests`` with a valid API key. No 5xx, no traceback in
the log; a refused form stores nothing, and nothing stored is garbage."""

from __future__ import annotations

import doctest
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from form_strategies import emails, field, form_id, junk, latitudes, longitudes, phones, texts
from fuzz_support import (
    FUZZ,
    count_case,
    csrf_token,
    request_count,
    stored_garbage,
    watched_log,
)
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import select

from agent_console import capture_form
from models.api_key_service import create_key
from models.authorities import ALCALDIAS
from models.db import session_scope
from models.requests import ServiceRequest


@pytest.fixture(scope="module")
def browser(fuzz_app: FastAPI) -> Iterator[TestClient]:
    """A citizen's browser (HTTPS, so the secure cookies are kept) on the running app."""
    with TestClient(fuzz_app, base_url="https://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def api_key(fuzz_db: Engine) -> str:
    """A valid Open311 API key."""
    with session_scope(fuzz_db) as session:
        return create_key(session, channel="App CDMX", contact="dev@cdmx.mx", created_by="fuzz")[1]


def _checked(response_status: int, before: int, engine: Engine, errors: list[str]) -> None:
    assert response_status < 500
    assert not errors, errors
    if response_status >= 400:
        assert request_count(engine) == before, "a refused form stored a request"


@FUZZ
@given(data=st.data())
def test_a_citizens_report(
    browser: TestClient, fuzz_db: Engine, codes: list[str], data: st.DataObject
) -> None:
    """The report's last step: free text always fuzzed, the other fields valid in half of
    the cases (so many reach the database) and fuzzed in the other half."""
    count_case("public report")
    page = browser.get("/reportar").text
    broken = data.draw(st.booleans())
    form = {
        "csrftoken": csrf_token(page),
        "formulario": field(data, broken, st.just(form_id(page))),
        "paso": field(data, broken, st.just("detalles")),
        "accion": field(data, broken, st.just("registrar_igual")),
        "descripcion": data.draw(texts),
        "categoria": field(data, broken, st.sampled_from(codes)),
        "alcaldia": field(data, broken, st.sampled_from(ALCALDIAS)),
        "colonia": data.draw(junk),
        "calle": data.draw(junk),
        "referencia": data.draw(junk),
        "latitud": field(data, broken, latitudes),
        "longitud": field(data, broken, longitudes),
        "nombre": data.draw(junk),
        "telefono": field(data, broken, phones),
        "correo": field(data, broken, st.one_of(st.just(""), emails)),
        "sexo": field(data, broken, st.sampled_from(["", "mujer", "hombre"])),
        "edad": field(data, broken, st.just("")),
        "publicar": field(data, broken, st.sampled_from(["", "si"])),
    }
    before = request_count(fuzz_db)
    with watched_log() as errors:
        response = browser.post("/reportar", data=form, follow_redirects=False)
    _checked(response.status_code, before, fuzz_db, errors.tracebacks())


@FUZZ
@given(folio=st.one_of(st.from_regex(r"26[0-9]{8}", fullmatch=True), junk), telefono=junk)
def test_a_folio_look_up_with_proof(
    browser: TestClient, fuzz_db: Engine, folio: str, telefono: str
) -> None:
    """The folio page's form, with a fuzzed folio and proof."""
    count_case("public folio")
    token = browser.cookies.get("csrftoken") or csrf_token(browser.get("/reportar").text)
    before = request_count(fuzz_db)
    with watched_log() as errors:
        response = browser.post(
            "/folio", data={"folio": folio, "telefono": telefono, "csrftoken": token}
        )
    _checked(response.status_code, before, fuzz_db, errors.tracebacks())
    assert request_count(fuzz_db) == before


@FUZZ
@given(data=st.data())
def test_an_open311_creation(
    browser: TestClient, fuzz_db: Engine, codes: list[str], api_key: str, data: st.DataObject
) -> None:
    """``POST /open311/v2/requests.{json,xml}`` with a valid key and fuzzed fields."""
    count_case("open311 create")
    broken = data.draw(st.booleans())
    form = {
        "api_key": api_key,
        "service_code": field(data, broken, st.sampled_from(codes)),
        "lat": field(data, broken, latitudes),
        "long": field(data, broken, longitudes),
        "address_string": data.draw(st.one_of(st.just(""), junk)),
        "description": data.draw(texts),
        "first_name": data.draw(junk),
        "last_name": data.draw(junk),
        "phone": field(data, broken, st.one_of(st.just(""), phones)),
        "email": field(data, broken, st.one_of(st.just(""), emails)),
        "attribute[alcaldia]": field(data, broken, st.sampled_from(ALCALDIAS)),
    }
    response_format = data.draw(st.sampled_from(["json", "xml"]))
    before = request_count(fuzz_db)
    with watched_log() as errors:
        response = browser.post(f"/open311/v2/requests.{response_format}", data=form)
    _checked(response.status_code, before, fuzz_db, errors.tracebacks())


def test_nothing_garbage_stored(browser: TestClient, fuzz_db: Engine) -> None:
    """After the fuzzing above, every stored request is one a person could have made."""
    assert request_count(fuzz_db) > 0, "no fuzzed report reached the database"
    assert stored_garbage(fuzz_db) == []


def test_control_characters_are_not_stored(
    browser: TestClient, fuzz_db: Engine, codes: list[str], api_key: str
) -> None:
    """A NUL, an escape or a zero-width mark typed into a form never reaches the database."""
    form = {
        "api_key": api_key,
        "service_code": codes[0],
        "lat": "19.4326",
        "long": "-99.1332",
        "description": "Bache\x00 profundo\x1b[31m\u200b\r\nen la esquina",
        "first_name": "Ana\x07",
        "address_string": "Av. Juárez\x0b10",
    }
    response = browser.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    folio = response.json()[0]["service_request_id"]
    with session_scope(fuzz_db, readonly=True) as session:
        row = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        stored = (row.description, row.citizen_name, row.street)
    assert stored == ("Bache profundo[31m\nen la esquina", "Ana", "Av. Juárez 10")


def test_form_text_examples() -> None:
    """The examples in ``capture_form``'s docstrings hold."""
    assert doctest.testmod(capture_form).failed == 0

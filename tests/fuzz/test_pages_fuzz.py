"""Every route the OpenAPI schema leaves out (pages, forms, CSV and the staff's actions),
fuzzed with hypothesis: fuzzed path, query and form values, sent anonymously and by each
staff role signed in, forms with the CSRF token. No 5xx, no traceback in the log, nothing
stored that is garbage. Event streams (which never end) and signing out are left out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from form_strategies import emails, field, form_id, junk, latitudes, longitudes, phones, texts
from fuzz_support import (
    FUZZ,
    PASSWORD,
    STAFF,
    count_case,
    request_count,
    stored_garbage,
    watched_log,
)
from httpx import Response
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from models.authorities import ALCALDIAS
from models.catalogue import KIND_LABELS
from models.config import Settings
from models.users import Role
from suac.web import create_app

LEFT_OUT = re.compile(r"/eventos$|^/salir$")
COMMON = ("folio", "desde", "hasta", "periodo", "autoridad", "alcaldia", "pagina", "q")
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
SAMPLES = ["1", "0", "-1", "²", "٣", "2600000019", "2026-11-30", "si"]
values = st.one_of(junk, st.sampled_from(SAMPLES))


def _hidden_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    """Method, path and parameter names of each route outside the schema."""
    app = create_app(Settings(_env_file=None))
    found = []
    for entry in app.routes:
        router = getattr(entry, "original_router", None)  # an included router's own routes
        for route in router.routes if router is not None else [entry]:
            if not isinstance(route, APIRoute) or route.include_in_schema:
                continue
            if LEFT_OUT.search(route.path):
                continue
            dependant = route.dependant
            names = {p.name for p in dependant.query_params + dependant.body_params}
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path, tuple(sorted(names | set(COMMON)))))
    assert ("POST", "/reportar") in {(method, path) for method, path, _ in found}, (
        "the included routers' routes were not found (FastAPI's routing changed?)"
    )
    return found


class Browsers:
    """One client (one event loop) with the cookies of each visitor: anonymous, and each
    staff role signed in (over HTTPS, so the secure cookies are kept)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.jars: dict[str, dict[str, str]] = {}
        for who in ("anónimo", *STAFF.values()):
            client.cookies.clear()
            client.get("/entrar")
            if who != "anónimo":
                signed_in = client.post(
                    "/entrar",
                    data={"usuario": who, "contrasena": PASSWORD, **self.token()},
                    follow_redirects=False,
                )
                assert signed_in.status_code == 303, signed_in.text
            self.jars[who] = dict(client.cookies)

    def token(self) -> dict[str, str]:
        """The CSRF field of the current visitor's forms."""
        return {"csrftoken": self.client.cookies.get("csrftoken") or ""}

    def send(self, who: str, method: str, url: str, params: list) -> Response:
        """``method`` on ``url`` as ``who``: ``params`` in the query, or the form with the
        CSRF token."""
        self.client.cookies.clear()
        self.client.cookies.update(self.jars[who])
        if method == "GET":
            response = self.client.get(url, params=params, follow_redirects=False)
        else:
            form = dict(params) | self.token()
            response = self.client.request(method, url, data=form, follow_redirects=False)
        self.jars[who] = dict(self.client.cookies)
        return response


@pytest.fixture(scope="module")
def browsers(fuzz_app: FastAPI) -> Iterator[Browsers]:
    """The visitors, on the running application."""
    with TestClient(fuzz_app, base_url="https://testserver") as client:
        yield Browsers(client)


def _superscripts(test: Callable[..., None]) -> Callable[..., None]:
    """Always try, as each staff role, digits that ``str.isdigit()`` accepts and ``int()``
    does not (found by the long profile: a page number ``²`` was a 500)."""
    for who in STAFF.values():
        params = [("pagina", "²"), ("folio", "²³"), ("hecho", "respondida"), ("desde", "¹")]
        test = example(who=who, params=params, path_values=["²", "²", "²"])(test)
    return test


@pytest.mark.parametrize(("method", "path", "names"), _hidden_routes())
def test_every_page_and_form(
    browsers: Browsers, method: str, path: str, names: tuple[str, ...]
) -> None:
    @FUZZ
    @_superscripts
    @given(
        who=st.sampled_from(sorted(browsers.jars)),
        params=st.lists(st.tuples(st.sampled_from(names), values), max_size=6),
        path_values=st.lists(values.filter(bool), min_size=3, max_size=3),
    )
    def answers_without_error(who: str, params: list, path_values: list[str]) -> None:
        count_case("pages and forms")
        filled = iter(path_values)
        url = PARAM.sub(lambda _match: quote(next(filled), safe=""), path)
        with watched_log() as errors:
            response = browsers.send(who, method, url, params)
        assert response.status_code < 500, (who, url, params, response.text[:300])
        assert not errors.tracebacks(), errors.tracebacks()

    answers_without_error()


@FUZZ
@given(data=st.data())
def test_the_agents_capture_form(
    browsers: Browsers, fuzz_db: Engine, codes: list[str], data: st.DataObject
) -> None:
    """``POST /consola/capturar`` (its form is not in the schema): free text always fuzzed,
    the other fields valid in half of the cases; refused forms store nothing."""
    count_case("capture form")
    agent = STAFF[Role.AGENT]
    page = browsers.send(agent, "GET", "/consola/capturar", []).text
    broken = data.draw(st.booleans())
    form = [
        ("formulario", field(data, broken, st.just(form_id(page)))),
        ("canal", field(data, broken, st.sampled_from(["agente", "ventanilla"]))),
        ("llamada", data.draw(junk)),
        ("tipo", field(data, broken, st.sampled_from(["", *KIND_LABELS]))),
        ("accion", field(data, broken, st.just("registrar_igual"))),
        ("categoria", field(data, broken, st.sampled_from(codes))),
        ("alcaldia", field(data, broken, st.sampled_from(ALCALDIAS))),
        ("descripcion", data.draw(texts)),
        ("colonia", field(data, broken, st.just(""))),  # checked against the City's list
        ("calle", data.draw(junk)),
        ("referencia", data.draw(junk)),
        ("latitud", field(data, broken, latitudes)),
        ("longitud", field(data, broken, longitudes)),
        ("nombre", data.draw(junk)),
        ("telefono", field(data, broken, st.one_of(st.just(""), phones))),
        ("correo", field(data, broken, st.one_of(st.just(""), emails))),
    ]
    before = request_count(fuzz_db)
    with watched_log() as errors:
        response = browsers.send(agent, "POST", "/consola/capturar", form)
    assert response.status_code < 500, response.text[:300]
    assert not errors.tracebacks(), errors.tracebacks()
    if response.status_code >= 400:
        assert request_count(fuzz_db) == before, "a refused form stored a request"


def test_nothing_garbage_stored(browsers: Browsers, fuzz_db: Engine) -> None:
    """After the fuzzing above, every stored request is one a person could have made."""
    assert request_count(fuzz_db) > 0, "no fuzzed capture reached the database"
    assert stored_garbage(fuzz_db) == []

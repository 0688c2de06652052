"""The permission matrix: every route of the application × every role and no session.

Each route is declared below with the roles that may use it; a route that is not declared
fails the test, so no new page can skip this check. For every combination the answer must be:
no session → sent to sign in (pages) or 401 (APIs); a role not allowed → 403; an allowed
role → neither of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in

PUBLIC = "public"
AGENTS = {Role.AGENT, Role.SUPERVISOR}
STAFF = set(Role)
ADMINS = {Role.ADMIN}
AUTHORITIES = {Role.AUTHORITY}
SUPERVISORS = {Role.SUPERVISOR, Role.ADMIN}

# (method, path) → who may use it: PUBLIC, or the set of roles.
MATRIX: dict[tuple[str, str], object] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/entrar"): PUBLIC,
    ("POST", "/entrar"): PUBLIC,
    ("POST", "/salir"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # no personal data; SUAC_METRICS_TOKEN or the proxy guard it
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/public/folios/{folio}"): PUBLIC,
    ("GET", "/folio"): PUBLIC,
    ("POST", "/folio"): PUBLIC,
    ("GET", "/reportar"): PUBLIC,
    ("POST", "/reportar"): PUBLIC,
    ("GET", "/reportar/hecho/{formulario}"): PUBLIC,
    ("GET", "/reportar/colonias"): PUBLIC,
    ("GET", "/aviso-de-privacidad"): PUBLIC,
    ("GET", "/tablero"): PUBLIC,
    ("GET", "/tablero/eventos"): PUBLIC,  # a page load goes to the board; never streams here
    ("GET", "/api/public/tablero"): PUBLIC,
    ("GET", "/datos-abiertos"): PUBLIC,
    ("GET", "/datos-abiertos/{name}"): PUBLIC,
    ("GET", "/estadisticas"): PUBLIC,
    ("GET", "/estadisticas.csv"): PUBLIC,
    ("GET", "/estadisticas.json"): PUBLIC,
    ("GET", "/estadisticas/definiciones"): PUBLIC,
    ("POST", "/api/classify"): PUBLIC,
    ("GET", "/api/catalogue/search"): PUBLIC,
    # Open311 GeoReport v2: programs with an api_key (creating), anyone (reading); no session
    ("GET", "/open311/v2/discovery.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/services.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/services/{service_code}.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/requests.{response_format}"): PUBLIC,
    ("POST", "/open311/v2/requests.{response_format}"): PUBLIC,
    ("GET", "/open311/v2/requests/{service_request_id}.{response_format}"): PUBLIC,
    ("GET", "/consola/capturar"): AGENTS,
    ("POST", "/consola/capturar"): AGENTS,
    ("GET", "/consola/capturar/hecho/{folio}"): AGENTS,
    ("GET", "/api/colonias"): STAFF,
    ("GET", "/consola/folio"): STAFF,
    ("GET", "/consola/folio/{folio}/referencia.wav"): AGENTS | AUTHORITIES,  # the exact place
    ("POST", "/consola/folio/{folio}/referencia"): AGENTS,
    ("GET", "/consola"): AGENTS,
    ("POST", "/consola/cola/entrar"): AGENTS,
    ("POST", "/consola/cola/disponible"): AGENTS,
    ("POST", "/consola/cola/pausa"): AGENTS,
    ("POST", "/consola/cola/salir"): AGENTS,
    ("GET", "/consola/eventos"): AGENTS,  # a page load is sent to /consola; never streams here
    ("GET", "/consola/llamadas/{call_id}"): AGENTS,
    ("GET", "/consola/llamadas/{call_id}/cierre"): AGENTS,
    ("POST", "/consola/llamadas/{call_id}/cierre"): AGENTS,
    ("POST", "/consola/llamadas/{call_id}/estado"): AGENTS,
    ("GET", "/admin/usuarios"): ADMINS,
    ("GET", "/admin/usuarios/nueva"): ADMINS,
    ("POST", "/admin/usuarios/nueva"): ADMINS,
    ("GET", "/admin/usuarios/{user_id}"): ADMINS,
    ("POST", "/admin/usuarios/{user_id}"): ADMINS,
    ("POST", "/admin/usuarios/{user_id}/estado"): ADMINS,
    ("POST", "/admin/usuarios/{user_id}/contrasena"): ADMINS,
    ("GET", "/admin/vias"): ADMINS,
    ("POST", "/admin/vias"): ADMINS,
    ("POST", "/admin/vias/alias"): ADMINS,
    ("POST", "/admin/vias/quitar"): ADMINS,
    ("GET", "/consola/abandonadas"): AGENTS,
    ("GET", "/consola/abandonadas/lista"): AGENTS,
    ("GET", "/consola/abandonadas/eventos"): AGENTS,
    ("POST", "/consola/abandonadas/{call_id}/devolver"): AGENTS,
    ("GET", "/bandeja"): AUTHORITIES,
    ("GET", "/bandeja/{folio}"): AUTHORITIES,
    ("POST", "/bandeja/respuesta-multiple"): AUTHORITIES,
    ("POST", "/bandeja/{folio}/en-proceso"): AUTHORITIES,
    ("POST", "/bandeja/{folio}/respuesta"): AUTHORITIES,
    ("POST", "/bandeja/{folio}/rechazo"): AUTHORITIES,
    ("POST", "/bandeja/{folio}/unidad"): AUTHORITIES,
    ("POST", "/bandeja/{folio}/turno"): AUTHORITIES,
    ("GET", "/supervision/autoridades"): SUPERVISORS,
    ("GET", "/supervision/autoridades.csv"): SUPERVISORS,
    ("GET", "/supervision/autoridades/vencidas"): SUPERVISORS,
    ("GET", "/supervision/reportes"): SUPERVISORS,
    ("GET", "/supervision/reportes.csv"): SUPERVISORS,
    ("GET", "/supervision/reportes/agentes"): SUPERVISORS,
    ("GET", "/supervision/reportes/agentes.csv"): SUPERVISORS,
    ("GET", "/supervision/escucha"): {Role.SUPERVISOR},  # listening: not administrators
    ("POST", "/supervision/escucha"): {Role.SUPERVISOR},
    ("POST", "/supervision/escucha/{audit_id}/terminar"): {Role.SUPERVISOR},
    ("GET", "/supervision/tablero"): SUPERVISORS,
    ("GET", "/supervision/tablero/eventos"): SUPERVISORS,  # a page load goes to the board
    ("GET", "/supervision/ayuda"): SUPERVISORS,
    ("GET", "/admin/auditoria"): ADMINS,
}
# Live streams never end for a role that may open them: only their refusals are checked here
# (their content is tested beside each stream).
STREAMS = {("GET", "/consola/abandonadas/eventos")}
TWILIO_PREFIX = "/twilio/"  # signed by Twilio, not by a session: tested in tests/ivr


def routes(client: TestClient) -> Iterator[tuple[str, str]]:
    """Every (method, path) the application answers, those of included routers too."""
    for route in client.app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        found = list(contexts()) if contexts is not None else [route]
        for item in found:
            path, methods = getattr(item, "path", ""), getattr(item, "methods", None) or set()
            if path and not path.startswith(TWILIO_PREFIX):
                for method in sorted(set(methods) - {"HEAD"}):
                    yield method, path


def concrete(path: str) -> str:
    """A path with its parameters filled in (a folio that parses, a call id, a number)."""
    return re.sub(r"\{[^}]+\}", lambda m: "2600000019" if "folio" in m.group() else "1", path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine
        for role in Role:
            add_staff(
                engine,
                f"cuenta-{role}",
                role,
                authority_code="SACMEX" if role == Role.AUTHORITY else None,
                phone="PJSIP/1001" if role == Role.AGENT else None,
            )
        yield test_client


def test_every_route_is_declared(client: TestClient) -> None:
    undeclared = sorted(set(routes(client)) - set(MATRIX))
    assert not undeclared, f"declare these routes in MATRIX: {undeclared}"


def _call(client: TestClient, method: str, path: str) -> int:
    headers = {"accept": "text/html", "x-csrftoken": client.cookies.get("csrftoken") or ""}
    response = client.request(method, concrete(path), headers=headers, follow_redirects=False)
    if response.status_code == 303 and response.headers["location"].startswith(
        "/entrar?siguiente="
    ):
        return 401  # a page's answer to a visitor without a session
    return response.status_code


@pytest.mark.parametrize("who", [None, *Role], ids=lambda who: str(who or "sin-sesion"))
def test_each_role_reaches_only_its_routes(client: TestClient, who: Role | None) -> None:
    client.get("/entrar")  # the CSRF cookie, sent back as the header
    if who is not None:
        assert sign_in(client, f"cuenta-{who}").status_code == 303
    wrong = []
    for (method, path), allowed in MATRIX.items():
        if (method, path) in {("POST", "/salir"), ("POST", "/entrar")}:
            continue  # they change the session itself; tested in test_login
        may = allowed == PUBLIC or (who is not None and who in allowed)  # type: ignore[operator]
        if may and (method, path) in STREAMS:
            continue
        status = _call(client, method, path)
        if may:
            if status in {401, 403}:
                wrong.append(f"{who} {method} {path} → {status}, expected access")
        elif status != (401 if who is None else 403):
            expected = 401 if who is None else 403
            wrong.append(f"{who} {method} {path} → {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)

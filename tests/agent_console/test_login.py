"""Signing in and out: sessions, limits, CSRF, headers, and the offline API docs."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from models.config import Settings
from models.db import session_scope
from models.staff_sessions import StaffSession
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import PASSWORD, add_staff, csrf_of, post_form, sign_in


def test_sign_in_goes_to_the_roles_page_and_sign_out_ends_the_session(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.container.engine, "ana", Role.AGENT)
        assert client.get("/", follow_redirects=False).headers["location"] == "/entrar"
        signed = sign_in(client, "ana")
        assert signed.status_code == 303 and signed.headers["location"] == "/consola"
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        token = client.cookies.get("suac_sesion")
        assert token and token not in str(_sessions(client))  # only its hash is stored
        assert client.get("/", follow_redirects=False).headers["location"] == "/consola"
        out = post_form(client, "/salir", {}, follow_redirects=False)
        assert out.status_code == 303
        client.cookies.set("suac_sesion", token)  # a stolen cookie is dead after sign-out
        assert client.get("/", follow_redirects=False).headers["location"] == "/entrar"


def _sessions(client: TestClient) -> list[StaffSession]:
    with session_scope(client.app.state.container.engine) as session:
        return list(session.exec(select(StaffSession)))


def test_wrong_password_and_unknown_user_answer_alike(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.container.engine, "ana", Role.AGENT)
        wrong = sign_in(client, "ana", "otra-contraseña-mala")
        unknown = sign_in(client, "nadie", PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        assert "Usuario o contraseña incorrectos." in wrong.text
        assert "Usuario o contraseña incorrectos." in unknown.text


def test_attempts_are_limited_per_account(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.container.engine, "ana", Role.AGENT)
        for _ in range(5):
            assert sign_in(client, "ana", "contraseña-equivocada").status_code == 401
        refused = sign_in(client, "ana")  # even the right password, until the window passes
        assert refused.status_code == 429 and "Demasiados intentos" in refused.text


def test_attempts_are_limited_per_client(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        for number in range(20):
            assert sign_in(client, f"usuario{number}", "contraseña-equivocada").status_code == 401
        assert sign_in(client, "otro", "contraseña-equivocada").status_code == 429


def test_an_idle_session_expires(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.container.engine, "ana", Role.AGENT)
        sign_in(client, "ana")
        with session_scope(client.app.state.container.engine) as session:
            for row in session.exec(select(StaffSession)):
                row.last_seen_at -= timedelta(minutes=31)
                session.add(row)
        assert client.get("/", follow_redirects=False).headers["location"] == "/entrar"


def test_forms_without_their_token_are_refused(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        add_staff(client.app.state.container.engine, "ana", Role.AGENT)
        csrf_of(client)
        forged = client.post("/entrar", data={"usuario": "ana", "contrasena": PASSWORD})
        assert forged.status_code == 403 and "El formulario caducó" in forged.text
        assert "suac_sesion" not in client.cookies


def test_pages_carry_security_headers_and_the_docs_work_offline(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/entrar")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        docs = client.get("/docs")
        assert docs.status_code == 200 and "http" not in docs.text.replace('lang="es-MX"', "")
        for asset in (
            "/static/swagger/swagger-ui-bundle.js",
            "/static/swagger/swagger-ui.css",
            "/static/docs.js",
            "/static/console.css",
            "/static/console.js",
        ):
            assert client.get(asset).status_code == 200, asset


def test_a_missing_page_answers_in_spanish(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/no-existe", headers={"accept": "text/html"})
        assert page.status_code == 404 and "La página que busca no existe." in page.text
        api = client.get("/api/no-existe")
        assert api.status_code == 404 and api.json() == {"detail": "Not Found"}

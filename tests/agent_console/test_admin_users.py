"""The administrators' account pages: create, change, disable, enable, new password; every
refusal next to its field with nothing written; a disabled account's sessions die at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.config import Settings
from models.db import session_scope
from models.users import (
    InvalidAccount,
    Role,
    StaffFields,
    User,
    set_active,
    update_user,
    verify_password,
)
from suac.web import create_app
from tests.agent_console.console_support import PASSWORD, add_staff, post_form, sign_in

NEW_PASSWORD = "otra-contraseña-larga"
GOOD = {
    "username": "luis",
    "full_name": "Luis Gómez",
    "role": "agent",
    "authority_code": "",
    "unit_code": "",
    "phone": "PJSIP/1002",
    "password": NEW_PASSWORD,
    "password_repeat": NEW_PASSWORD,
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "rita", Role.ADMIN)
        add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
        assert sign_in(test_client, "rita").status_code == 303
        yield test_client


def accounts(client: TestClient) -> dict[str, User]:
    with session_scope(client.app.state.container.engine) as session:
        return {user.username: user for user in session.exec(select(User))}


def user_id(client: TestClient, username: str) -> int:
    found = accounts(client)[username].id
    assert found is not None
    return found


@contextmanager
def second_browser(client: TestClient) -> Iterator[TestClient]:
    """Another browser on the same running application (its lifespan already ran)."""
    yield TestClient(client.app)


def signed_in(browser: TestClient) -> bool:
    return browser.get("/", follow_redirects=False).headers["location"] != "/entrar"


def field_error(page: str, field: str) -> str:
    """The message shown next to ``field``, checking the control points at it."""
    control = re.search(rf'<(?:input|select)[^>]*\bname="{field}"[^>]*>', page, re.S)
    assert control, f"no control {field}"
    assert 'aria-invalid="true"' in control.group() and f"{field}-error" in control.group()
    message = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', page)
    assert message, f"no message next to {field}"
    return message.group(1)


def test_the_list_shows_every_account(client: TestClient) -> None:
    add_staff(
        client.app.state.container.engine,
        "eva",
        Role.AUTHORITY,
        authority_code="SACMEX",
        unit_code="DGD",
    )
    page = client.get("/admin/usuarios")
    assert page.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    assert "ana Ana Pérez Agente — PJSIP/1001 Activa Editar" in text
    assert "eva Eva Pérez Personal de autoridad SACMEX · DGD — Activa Editar" in text
    assert "rita Rita Pérez Administrador — — Activa Editar" in text


def test_an_admin_creates_accounts_of_every_kind(client: TestClient) -> None:
    created = post_form(client, "/admin/usuarios/nueva", GOOD, follow_redirects=False)
    assert created.status_code == 303
    assert "Cuenta luis creada." in client.get(created.headers["location"]).text
    authority = {
        **GOOD,
        "username": "eva",
        "role": "authority",
        "authority_code": "SACMEX",
        "unit_code": "DGD",
        "phone": "",
    }
    assert post_form(client, "/admin/usuarios/nueva", authority).status_code == 200
    stored = accounts(client)
    assert stored["luis"].phone == "PJSIP/1002" and stored["luis"].role == Role.AGENT
    assert verify_password(NEW_PASSWORD, stored["luis"].password_hash)
    assert (stored["eva"].authority_code, stored["eva"].unit_code) == ("SACMEX", "DGD")
    client.cookies.clear()
    assert sign_in(client, "luis", NEW_PASSWORD).headers["location"] == "/consola"


BAD_NEW = [
    ({"username": ""}, "username", "El nombre de usuario no puede estar vacío."),
    ({"username": "ana"}, "username", "El usuario ana ya existe."),
    ({"username": "Luis Gómez"}, "username", "Use hasta 64 minúsculas"),
    ({"full_name": "  "}, "full_name", "El nombre completo no puede estar vacío."),
    ({"role": "jefe"}, "role", "Elija uno de los roles."),
    ({"authority_code": "SACMEX"}, "authority_code", "Solo el personal de autoridad"),
    ({"role": "authority", "phone": ""}, "authority_code", "necesita una autoridad existente"),
    (
        {"role": "authority", "phone": "", "authority_code": "SACMEX", "unit_code": "XYZ"},
        "unit_code",
        "La unidad XYZ no pertenece a SACMEX.",
    ),
    ({"phone": "1002"}, "phone", "Escriba una extensión de Asterisk"),
    ({"role": "admin"}, "phone", "Solo agentes y supervisores tienen teléfono."),
    ({"password": "corta", "password_repeat": "corta"}, "password", "al menos 10 caracteres"),
    ({"password_repeat": "otra-distinta-larga"}, "password_repeat", "no coinciden"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_NEW, ids=[b[1] for b in BAD_NEW])
def test_a_refused_new_account_is_explained_and_nothing_is_written(
    client: TestClient, change: dict[str, str], field: str, message: str
) -> None:
    before = set(accounts(client))
    page = post_form(client, "/admin/usuarios/nueva", {**GOOD, **change})
    assert page.status_code == 422
    assert message in field_error(page.text, field)
    assert set(accounts(client)) == before
    assert 'value="Luis Gómez"' in page.text or change.get("full_name") is not None
    assert NEW_PASSWORD not in page.text, "a typed password is never sent back"


def test_an_admin_changes_an_account(client: TestClient) -> None:
    ana = user_id(client, "ana")
    assert 'value="PJSIP/1001"' in client.get(f"/admin/usuarios/{ana}").text
    changed = post_form(
        client,
        f"/admin/usuarios/{ana}",
        {"full_name": "Ana María Pérez", "role": "supervisor", "phone": "+525512345678"},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and "aviso=cambiada" in changed.headers["location"]
    stored = accounts(client)["ana"]
    assert (stored.full_name, stored.role, stored.phone) == (
        "Ana María Pérez",
        Role.SUPERVISOR,
        "+525512345678",
    )
    bound = post_form(
        client,
        f"/admin/usuarios/{ana}",
        {"full_name": "Ana", "role": "authority", "authority_code": "SACMEX", "unit_code": "XYZ"},
    )
    assert bound.status_code == 422
    assert "La unidad XYZ no pertenece a SACMEX." in field_error(bound.text, "unit_code")
    assert 'value="Ana"' in bound.text, "the typed values are kept"
    assert accounts(client)["ana"].role == Role.SUPERVISOR, "nothing written"


def test_an_admin_cannot_demote_or_disable_themself(client: TestClient) -> None:
    rita = user_id(client, "rita")
    demote = post_form(
        client, f"/admin/usuarios/{rita}", {"full_name": "Rita Pérez", "role": "agent"}
    )
    assert demote.status_code == 422
    assert "No puede quitarse a sí mismo" in field_error(demote.text, "role")
    itself = post_form(client, f"/admin/usuarios/{rita}/estado", {"active": "0"})
    assert itself.status_code == 422
    assert "No puede desactivar su propia cuenta." in itself.text
    assert accounts(client)["rita"].active and accounts(client)["rita"].role == Role.ADMIN
    add_staff(client.app.state.container.engine, "omar", Role.ADMIN)
    omar = user_id(client, "omar")
    other = post_form(client, f"/admin/usuarios/{omar}/estado", {"active": "0"})
    assert "Cuenta omar desactivada" in other.text, "another admin can be disabled"


def test_the_last_active_admin_is_never_removed(settings: Settings) -> None:
    """Behind the pages (a race, the command line) the rule still holds."""
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.container.engine
        add_staff(engine, "rita", Role.ADMIN)
        add_staff(engine, "omar", Role.ADMIN)
        rita, omar = user_id(client, "rita"), user_id(client, "omar")
        with session_scope(engine) as session:
            set_active(session, omar, False, by=rita)
        for change in (
            lambda session: set_active(session, rita, False, by=omar),
            lambda session: update_user(
                session, rita, StaffFields(full_name="Rita", role=Role.AGENT), by=omar
            ),
        ):
            refused = pytest.raises(InvalidAccount, match="al menos un administrador activo")
            with refused, session_scope(engine) as session:
                change(session)
        assert accounts(client)["rita"].active and accounts(client)["rita"].role == Role.ADMIN


def test_a_disabled_account_is_signed_out_at_once_and_enabled_again(client: TestClient) -> None:
    ana = user_id(client, "ana")
    with second_browser(client) as agent:
        assert sign_in(agent, "ana").status_code == 303
        assert signed_in(agent)
        disabled = post_form(client, f"/admin/usuarios/{ana}/estado", {"active": "0"})
        assert "Cuenta ana desactivada" in disabled.text
        assert "Desactivada" in disabled.text
        assert not signed_in(agent)
        assert sign_in(agent, "ana").status_code == 401
        post_form(client, f"/admin/usuarios/{ana}/estado", {"active": "1"})
        assert not signed_in(agent), "enabling again does not revive the old session"
        assert sign_in(agent, "ana").status_code == 303


def test_a_new_password_works_and_ends_the_old_sessions(client: TestClient) -> None:
    ana = user_id(client, "ana")
    with second_browser(client) as agent:
        assert sign_in(agent, "ana").status_code == 303
        short = post_form(
            client,
            f"/admin/usuarios/{ana}/contrasena",
            {"password": "corta", "password_repeat": "corta"},
        )
        assert short.status_code == 422 and "al menos" in field_error(short.text, "password")
        mismatch = post_form(
            client,
            f"/admin/usuarios/{ana}/contrasena",
            {"password": NEW_PASSWORD, "password_repeat": PASSWORD},
        )
        assert mismatch.status_code == 422
        assert "no coinciden" in field_error(mismatch.text, "password_repeat")
        assert verify_password(PASSWORD, accounts(client)["ana"].password_hash)
        done = post_form(
            client,
            f"/admin/usuarios/{ana}/contrasena",
            {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        )
        assert "Contraseña de ana cambiada" in done.text
        assert not signed_in(agent)
        assert sign_in(agent, "ana").status_code == 401
        assert sign_in(agent, "ana", NEW_PASSWORD).status_code == 303


def test_an_unknown_account_is_a_spanish_404(client: TestClient) -> None:
    page = client.get("/admin/usuarios/999")
    assert page.status_code == 404 and "Esa cuenta no existe." in page.text
    changed = post_form(client, "/admin/usuarios/999", {"full_name": "X", "role": "agent"})
    assert changed.status_code == 404

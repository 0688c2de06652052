"""Signing in with a real browser, and the page as an agent sees it at 1366×768."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer


def test_sign_in_and_out(page: Page, live_server: LiveServer) -> None:
    add_staff(live_server.container.engine, "ana", Role.ADMIN)
    page.goto("/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill("no-es-la-buena")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_have_text("Usuario o contraseña incorrectos.")
    shot(page, "entrar-error")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_text("Ana Pérez · Administrador")).to_be_visible()
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    shot(page, "entrar")

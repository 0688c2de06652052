"""In the browser: an administrator creates an account (a mistake first, explained next to its
field), changes it and disables it, by keyboard where the page offers a shortcut."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

NEW = "una-contraseña-nueva"


def sign_in(page: Page, username: str) -> None:
    page.goto("/entrar")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def test_an_admin_creates_changes_and_disables_an_account(
    page: Page, live_server: LiveServer
) -> None:
    engine = live_server.container.engine
    add_staff(engine, "rita", Role.ADMIN)
    add_staff(engine, "eva", Role.AUTHORITY, authority_code="SACMEX", unit_code="DGD")
    sign_in(page, "rita")
    page.wait_for_url("**/admin/usuarios")
    expect(page.get_by_role("heading", name="Cuentas del personal")).to_be_visible()
    expect(page.get_by_role("row", name="eva Eva Pérez Personal de autoridad")).to_be_visible()
    shot(page, "admin-usuarios")

    page.keyboard.press("Alt+N")
    page.wait_for_url("**/admin/usuarios/nueva")
    expect(page.get_by_label("Usuario", exact=True)).to_be_focused()
    page.get_by_label("Usuario", exact=True).fill("luis")
    page.get_by_label("Nombre completo").fill("Luis Gómez")
    page.get_by_label("Rol").select_option(label="Agente")
    page.get_by_label("Teléfono").fill("PJSIP/1002")
    page.get_by_label("Contraseña", exact=True).fill(NEW)
    page.get_by_label("Repita la contraseña").fill("otra-cosa-distinta")
    shot(page, "admin-nueva-cuenta")
    page.keyboard.press("Alt+G")
    repeat = page.get_by_label("Repita la contraseña")
    expect(repeat).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password_repeat-error")).to_have_text(
        "Las contraseñas no coinciden; escríbala igual dos veces."
    )
    expect(page.get_by_label("Nombre completo")).to_have_value("Luis Gómez")
    shot(page, "admin-nueva-cuenta-error")
    page.get_by_label("Contraseña", exact=True).fill(NEW)
    repeat.fill(NEW)
    page.get_by_role("button", name="Crear cuenta").click()
    page.wait_for_url("**/admin/usuarios?aviso=creada*")
    expect(page.get_by_role("status")).to_have_text("Cuenta luis creada.")
    expect(
        page.get_by_role("row", name="luis Luis Gómez Agente — PJSIP/1002 Activa")
    ).to_be_visible()
    shot(page, "admin-cuenta-creada")

    page.get_by_role("link", name="Editar la cuenta luis").click()
    expect(page.get_by_role("heading", name="Cuenta luis")).to_be_visible()
    authority = page.get_by_label("Autoridad")
    authority.select_option("SACMEX")
    units = page.get_by_label("Unidad administrativa")
    expect(units.locator('optgroup[data-authority="SACMEX"]')).not_to_have_attribute("hidden", "")
    expect(units.locator('optgroup[data-authority="SOBSE"]')).to_have_attribute("hidden", "")
    shot(page, "admin-editar-cuenta")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#authority_code-error")).to_have_text(
        "Solo el personal de autoridad se vincula a una autoridad."
    )
    authority.select_option("")
    page.get_by_label("Nombre completo").fill("Luis Gómez Ruiz")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_role("status")).to_have_text("Cuenta luis actualizada.")

    page.get_by_role("link", name="Editar la cuenta luis").click()
    page.get_by_role("button", name="Desactivar cuenta").click()
    expect(page.get_by_role("status")).to_have_text(
        "Cuenta luis desactivada: sus sesiones terminaron."
    )
    expect(page.get_by_role("row", name="luis Luis Gómez Ruiz Agente")).to_contain_text(
        "Desactivada"
    )
    shot(page, "admin-cuenta-desactivada")

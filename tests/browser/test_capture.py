"""Capturing a request in a real browser: search-as-you-type for the category, the colonias
of the chosen alcaldía, field messages, the likely-duplicate warning, the folio read aloud,
attaching a caller, and the folio look-up; a screenshot of every state."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from models.requests import Channel, RequestCreate
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

GROUPED = re.compile(r"^\d{2} \d{3} \d{4} \d$")


def _sign_in(page: Page, live_server: LiveServer) -> None:
    add_staff(live_server.container.engine, "ana", Role.AGENT)
    page.goto("/entrar?siguiente=/consola/capturar")
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Capturar solicitud")).to_be_visible()


def _existing(live_server: LiveServer) -> str:
    data = RequestCreate(
        catalogue_code="VIA-001",
        channel=Channel.AGENT,
        alcaldia="Cuauhtémoc",
        colonia="Roma Norte",
        street="Orizaba 10",
        description="Bache frente al mercado",
        citizen_name="Eva Ruiz",
    )
    register = live_server.container.requests.register
    return str(live_server.run(register, data, actor="agent:luis").folio)


def _fill(page: Page) -> None:
    search = page.get_by_role("combobox", name="Buscar categoría")
    search.fill("bache")
    options = page.locator("#categoria-resultados [role=option]")
    expect(options.first).to_be_visible()
    expect(page.get_by_role("listbox")).to_contain_text("Bache en calle")
    shot(page, "capturar-busqueda")
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.get_by_label("Categoría", exact=True)).to_have_value("VIA-001")
    page.get_by_label("Descripción").fill("Un bache enorme frente al mercado")
    page.get_by_label("Alcaldía").select_option("Cuauhtémoc")
    expect(page.locator("#colonias option[value='Roma Norte']")).to_have_count(1)
    page.get_by_label("Colonia").fill("Roma Norte")
    page.get_by_label("Calle y número").fill("orizaba 10")
    page.get_by_label("Nombre").fill("Luis Gómez")


def test_capture_warns_of_a_duplicate_and_registers(page: Page, live_server: LiveServer) -> None:
    existing = _existing(live_server)
    _sign_in(page, live_server)
    shot(page, "capturar")
    _fill(page)
    page.get_by_label("Teléfono").fill("55 12")
    page.get_by_role("button", name="Registrar Alt+R").click()
    expect(page.locator("#telefono-error")).to_contain_text("No es un teléfono válido")
    expect(page.get_by_label("Nombre")).to_have_value("Luis Gómez")
    shot(page, "capturar-errores")
    page.get_by_label("Teléfono").fill("55 1234 5678")
    page.keyboard.press("Alt+R")
    warning = page.locator("#duplicados")
    expect(warning).to_contain_text("Posible duplicado")
    expect(warning).to_contain_text(f"{existing[:2]}-{existing[2:-1]}-{existing[-1]}")
    expect(warning).to_contain_text("misma calle")
    expect(warning).not_to_contain_text("Eva Ruiz")
    shot(page, "capturar-duplicado")
    page.get_by_role("button", name="Registrar como nueva").click()
    expect(page.get_by_role("heading", name="Solicitud registrada")).to_be_visible()
    expect(page.locator("#folio")).to_have_text(GROUPED)
    expect(page.locator("#vence")).to_contain_text("5 días hábiles")
    assert page.locator("#folio").text_content() != existing
    shot(page, "capturar-folio")


def test_attaching_the_caller_and_looking_up_the_folio(
    page: Page, live_server: LiveServer
) -> None:
    existing = _existing(live_server)
    _sign_in(page, live_server)
    _fill(page)
    page.get_by_role("button", name="Registrar Alt+R").click()
    formatted = f"{existing[:2]}-{existing[2:-1]}-{existing[-1]}"
    expect(page.locator("#duplicados")).to_be_focused()
    page.get_by_role("button", name=f"Agregar al ciudadano al folio {formatted}").click()
    expect(page.get_by_role("heading", name="Ciudadano agregado al folio")).to_be_visible()
    grouped = f"{existing[:2]} {existing[2:5]} {existing[5:9]} {existing[9]}"
    expect(page.locator("#folio")).to_have_text(grouped)
    shot(page, "capturar-adjuntada")
    page.goto("/consola/folio")
    page.get_by_label("Folio").fill("26-0000001-7")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#folio-error")).to_contain_text("algún dígito está equivocado")
    shot(page, "folio-error")
    page.get_by_label("Folio").fill(existing)
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("Otro ciudadano reportó lo mismo.")).to_be_visible()
    expect(page.get_by_text("Luis Gómez")).to_be_visible()
    shot(page, "folio")

"""A citizen's own report in a real browser, with its script: the classifier's proposals,
another category found by typing, the colonias of the chosen alcaldía, «Usar mi ubicación»,
the folio and its look-up, and the request arriving on the public board without any of the
citizen's data; a screenshot of every step."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

HERE = {"latitude": 19.3043, "longitude": -99.1900}  # Tlalpan
DESCRIPTION = "La lámpara de la esquina lleva una semana apagada"
NAME, PHONE = "Eva Ruiz Secreta", "55 1234 5678"


def _located_page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 412, "height": 915},  # a phone
        locale="es-MX",
        geolocation=HERE,
        permissions=["geolocation"],
    )
    return context.new_page()


def test_a_citizen_reports_with_the_script_and_follows_the_folio(
    browser: Browser, live_server: LiveServer
) -> None:
    board = browser.new_page(base_url=live_server.url)
    board.goto("/tablero")
    board.wait_for_function("() => window.SUAC !== undefined")  # its live stream is open
    page = _located_page(browser, live_server)
    page.goto("/reportar")
    page.get_by_label("¿Qué problema quiere reportar?").fill(DESCRIPTION)
    shot(page, "reportar-1-descripcion")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("group", name="Categoría")).to_be_visible()
    shot(page, "reportar-2-propuestas")

    search = page.get_by_role("combobox", name="Buscar otra categoría")
    search.fill("bache")
    page.locator("#categoria-resultados [role=option]").first.click()
    expect(page.get_by_label("Otra categoría:")).to_be_checked()
    expect(page.get_by_label("Lista de categorías")).not_to_have_value("")

    page.get_by_label("Alcaldía").select_option("Tlalpan")
    expect(page.locator("#colonias-lista option[value='Tlalpan Centro']")).to_have_count(1)
    no_script_button = page.get_by_role("button", name="Ver las colonias de la alcaldía elegida")
    expect(no_script_button).to_be_hidden()
    page.get_by_label("Colonia").fill("Tlalpan Centro")
    page.get_by_role("button", name="Usar mi ubicación").click()
    expect(page.locator("#ubicacion-estado")).to_contain_text("se marcó su ubicación")
    expect(page.get_by_label("Latitud (opcional)")).to_have_value("19.304300")
    expect(page.get_by_label("Longitud (opcional)")).to_have_value("-99.190000")
    page.get_by_label("Nombre").fill(NAME)
    page.get_by_label("Teléfono").fill(PHONE)
    shot(page, "reportar-2-lugar")

    page.get_by_role("button", name="Enviar reporte", exact=True).last.click()
    expect(page.get_by_role("heading", name="Su reporte quedó registrado")).to_be_visible()
    folio = page.locator("#folio").inner_text()
    shot(page, "reportar-3-folio")
    page.get_by_role("link", name="Consultar el avance de mi folio").click()
    expect(page.get_by_role("heading", name=f"Folio {folio}")).to_be_visible()

    row = board.locator("#tablero-filas tr").first  # arrived live, without a reload
    expect(row).to_contain_text(folio)
    expect(row).to_contain_text("Tlalpan Centro")
    shot(board, "reportar-4-tablero")
    shown = board.content() + page.content()
    for personal in (NAME, PHONE, "5678", DESCRIPTION, "19.3043"):
        assert personal not in shown
    page.context.close()
    board.close()

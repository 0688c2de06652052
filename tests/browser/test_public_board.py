"""In the browser: the public board shows a new request at the top without reloading, follows
its answer, drops it from a status filter it no longer passes, and filters without
JavaScript; never a citizen's data."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from models.folio import format_folio
from tests.agent_console.board_support import answer_async, assert_nothing_personal, register_async
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer


def first_row(page: Page) -> str:
    return page.locator("#tablero-filas tr").first.inner_text()


def test_the_board_follows_new_and_answered_requests(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    older = live_server.run(register_async, live_server.app, alcaldia="Coyoacán")
    turned = browser.new_page(base_url=live_server.url)
    turned.goto("/tablero?estado=assigned")
    page.goto("/tablero")
    expect(page.locator("#tablero-filas tr")).to_have_count(1)
    page.wait_for_function("() => window.SUAC !== undefined")

    folio = live_server.run(register_async, live_server.app)
    expect(page.locator("#tablero-filas tr")).to_have_count(2)
    row = page.locator("#tablero-filas tr").first
    expect(row).to_contain_text(format_folio(folio))
    expect(row).to_contain_text("Tlalpan")
    expect(row).to_contain_text("Turnada")
    expect(row).to_contain_text("hace un momento")
    expect(turned.locator(f'tr[data-folio="{folio}"]')).to_have_count(1)
    shot(page, "tablero-publico-nueva")

    live_server.run(answer_async, live_server.app, folio)
    expect(row).to_contain_text("Atendida")
    expect(page.locator("#tablero-filas tr").nth(1)).to_contain_text(format_folio(older))
    expect(turned.locator(f'tr[data-folio="{folio}"]')).to_have_count(0)
    expect(turned.locator(f'tr[data-folio="{older}"]')).to_have_count(1)
    assert_nothing_personal(page.content() + turned.content())
    turned.close()


def test_the_filters_work_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    tlalpan = live_server.run(register_async, live_server.app)
    coyoacan = live_server.run(register_async, live_server.app, alcaldia="Coyoacán")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/tablero")
    page.get_by_label("Alcaldía", exact=True).select_option("Coyoacán")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**/tablero?alcaldia=Coyoac%C3%A1n*")
    expect(page.locator(f'tr[data-folio="{coyoacan}"]')).to_have_count(1)
    expect(page.locator(f'tr[data-folio="{tlalpan}"]')).to_have_count(0)
    expect(page.get_by_label("Alcaldía", exact=True)).to_have_value("Coyoacán")
    shot(page, "tablero-publico-filtro-sin-js")
    context.close()

"""The contact centre's reports in a real browser: a day's calls per queue, hour and quarter
with charts, chosen by keyboard; a reversed period and a too long one explained next to
their fields; the agents' tab and one agent per hour; both CSV exports, with screenshots."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.agent_console.reports_support import ANA, BETO, store_calls
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer


def csv_lines(page: Page) -> list[list[str]]:
    """The CSV the Alt+E link downloads."""
    with page.expect_download() as download:
        page.keyboard.press("Alt+E")
    return list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))


def test_call_and_agent_reports(page: Page, live_server: LiveServer) -> None:
    engine = live_server.container.engine
    add_staff(engine, "sara", Role.SUPERVISOR)
    add_staff(engine, "ana", Role.AGENT, phone=ANA)
    add_staff(engine, "beto", Role.AGENT, phone=BETO)
    store_calls(engine)

    page.goto("/entrar")
    page.get_by_label("Usuario").fill("sara")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("link", name="Informes").click()
    expect(page.get_by_role("heading", name="Informe de llamadas")).to_be_visible()

    # by keyboard: the day, every queue, by hour
    page.keyboard.press("Alt+D")
    expect(page.get_by_label("Desde")).to_be_focused()
    page.get_by_label("Desde").fill("2026-03-02")
    page.get_by_label("Hasta (inclusive)").fill("2026-03-02")
    page.get_by_label("Intervalo", exact=True).select_option(label="Hora")
    page.get_by_label("Hasta (inclusive)").press("Enter")
    locatel = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="locatel", exact=True)
    )
    expect(locatel.get_by_role("cell")).to_have_text(
        ["7", "3", "2", "2", "1", "1", "0", "1", "0", "0", "50.0", "16.7", "14.0", "146.7"]
    )
    expect(page.get_by_role("img", name="Nivel de servicio")).to_be_visible()
    shot(page, "informe-llamadas-dia-por-hora")

    page.keyboard.press("Alt+3")
    expect(
        page.get_by_role("heading", name="Por intervalo · todas las colas", exact=True)
    ).to_be_focused()
    lines = csv_lines(page)
    assert lines[0][:3] == ["Tabla", "Fila", "Ofrecidas"]
    assert lines[1][:6] == ["Por cola", "locatel", "7", "3", "2", "2"]
    assert len(lines) == 1 + 3 + 25  # header, two queues and the total, 24 hours and the total

    # one queue by quarter hour, chosen from the queue's row
    locatel.get_by_role("link", name="locatel").click()
    one_queue = page.get_by_role("heading", name="Por intervalo · locatel", exact=True)
    expect(one_queue).to_be_visible()
    page.get_by_label("Intervalo", exact=True).select_option(label="15 minutos")
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_label("Intervalo", exact=True)).to_have_value("15min")
    quarter = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="2026-03-02 10:15", exact=True)
    )
    expect(quarter.get_by_role("cell").nth(5)).to_have_text("1")  # E's time-out
    shot(page, "informe-llamadas-cola-por-15-minutos")

    # a reversed period, then a long one by quarter hours: explained next to each field
    page.goto("/supervision/reportes?desde=2026-03-09&hasta=2026-03-02")
    expect(page.get_by_label("Hasta (inclusive)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-hasta")).to_have_text("La fecha final es anterior a la inicial.")
    expect(page.locator("table")).to_have_count(0)
    shot(page, "informe-llamadas-periodo-invertido")
    page.goto("/supervision/reportes?desde=2026-03-01&hasta=2026-03-31&intervalo=15min")
    expect(page.get_by_label("Intervalo", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-intervalo")).to_contain_text("no puede pasar de 7 días")
    shot(page, "informe-llamadas-periodo-largo")

    # the agents' tab keeps the period; one agent by hour from the agent's row
    page.goto("/supervision/reportes?desde=2026-03-02&hasta=2026-03-02&intervalo=hora")
    page.keyboard.press("Alt+G")
    expect(page.get_by_role("heading", name="Informe de agentes")).to_be_visible()
    ana = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Ana Pérez · PJSIP/1001")
    )
    expect(ana.get_by_role("cell").first).to_have_text("3:00:00")
    shot(page, "informe-agentes")
    ana.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name="Por intervalo · Ana Pérez · PJSIP/1001")
    ).to_be_visible()
    lunch = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="2026-03-02 10:00", exact=True)
    )
    expect(lunch.get_by_role("cell").nth(1)).to_have_text("0:30:00")
    shot(page, "informe-agentes-por-hora")
    lines = csv_lines(page)
    assert lines[0][:4] == ["Tabla", "Fila", "Conectado (h:mm:ss)", "En pausa (h:mm:ss)"]
    hour = next(line for line in lines if line[1] == "2026-03-02 10:00")
    assert hour[:4] == [
        "Por intervalo · Ana Pérez · PJSIP/1001",
        "2026-03-02 10:00",
        "1:00:00",
        "0:30:00",
    ]

"""The authorities' performance in a real browser: the month's tables, a bad period explained
next to its field, the overdue list behind a figure, and the CSV export, by keyboard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlmodel import col

from models.db import session_scope
from models.db_types import utcnow
from models.folio import format_folio
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, ServiceRequest
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

# (category, alcaldía, what happens to it) → SACMEX/DGAP, SACMEX/DEO, the alcaldía's DGODU
REQUESTS = [
    ("AGU-001", "Tlalpan", "answer"),
    ("AGU-001", "Tlalpan", "late"),
    ("AGU-001", "Coyoacán", "open"),
    ("AGU-002", "Iztapalapa", "reject"),
    ("AGU-002", "Iztapalapa", "late"),
    ("VIA-001", "Coyoacán", "answer"),
    ("VIA-001", "Tlalpan", "hand"),
]


async def prepare(service: RequestService) -> list[str]:
    """Register the requests above and move them; the folios of those made overdue."""
    late = []
    for code, alcaldia, fate in REQUESTS:
        request = await service.register(
            RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia=alcaldia),
            actor="agente:ana",
        )
        folio = request.folio
        if fate == "answer":
            await service.answer(
                folio,
                text="Atendida.",
                responsible_person="Ing. Ruiz",
                unit_code=str(request.unit_code),
                actor="autoridad:luz",
            )
        elif fate == "reject":
            await service.reject(folio, reason="No procede.", actor="autoridad:luz")
        elif fate == "hand":
            await service.hand_over(
                folio,
                authority_code="SOBSE",
                unit_code="DGOIV",
                reason="Vía primaria.",
                actor="autoridad:luz",
            )
        elif fate == "late":
            late.append(folio)
    return late


def test_performance_page(page: Page, live_server: LiveServer) -> None:
    container = live_server.container
    add_staff(container.engine, "sara", Role.SUPERVISOR)
    late = live_server.run(prepare, container.requests)
    with session_scope(container.engine) as session:
        session.execute(
            update(ServiceRequest)
            .where(col(ServiceRequest.folio).in_(late))
            .values(due_at=utcnow() - timedelta(days=1))
        )

    page.goto("/supervision/autoridades")
    page.get_by_label("Usuario").fill("sara")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Desempeño de las autoridades")).to_be_visible()
    sacmex = page.get_by_role("row").filter(
        has=page.get_by_role(
            "rowheader", name="Sistema de Aguas de la Ciudad de México", exact=True
        )
    )
    expect(sacmex.get_by_role("cell")).to_have_text(["5", "1", "1", "20.0 %", "2", "0", "1", "0"])
    total = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Total"))
    expect(total.get_by_role("cell").first).to_have_text("7")
    shot(page, "desempeno-autoridades")

    page.keyboard.press("Alt+3")
    expect(page.get_by_role("heading", name="Por categoría")).to_be_focused()

    # a period that ends before it starts: explained next to the field, no tables
    page.goto("/supervision/autoridades?desde=2026-10-31&hasta=2026-10-01")
    final = page.get_by_label("hasta (inclusive)")
    expect(final).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-hasta")).to_have_text("La fecha final es anterior a la inicial.")
    expect(page.locator("table")).to_have_count(0)
    shot(page, "desempeno-autoridades-periodo-invalido")

    # by keyboard: the start date, then the form sent with Enter
    today = utcnow().astimezone(container.calendar.zone).date()
    page.keyboard.press("Alt+D")
    expect(page.get_by_label("Recibidas desde")).to_be_focused()
    page.get_by_label("Recibidas desde").fill(today.replace(day=1).isoformat())
    page.get_by_label("hasta (inclusive)").fill(today.isoformat())
    page.keyboard.press("Enter")
    expect(sacmex).to_be_visible()

    # the overdue list behind SACMEX's figure
    sacmex.get_by_role("link", name="2").click()
    expect(
        page.get_by_role("heading", name="2 solicitudes abiertas con el plazo cumplido")
    ).to_be_visible()
    for folio in late:
        expect(page.get_by_role("cell", name=format_folio(folio))).to_be_visible()
    shot(page, "desempeno-autoridades-vencidas")

    page.get_by_role("link", name="← Desempeño de las autoridades").click()
    with page.expect_download() as download:
        page.keyboard.press("Alt+E")
    text = download.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    sacmex_line = next(line for line in lines if line["codigo"] == "SACMEX")
    assert (sacmex_line["recibidas"], sacmex_line["vencidas_hoy"]) == ("5", "2")

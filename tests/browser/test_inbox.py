"""An authority signs in, sees its inbox, answers a request (and two more at once); then the
public folio page shows it answered, without the answer's text until the citizen gives the last
four digits of their phone."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from models.db_types import utcnow
from models.folio import format_folio
from models.requests import Channel, RequestCreate, ServiceRequest
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

ANSWER = "Se reparó la válvula de la calle y el servicio quedó restablecido."


def register(server: LiveServer, alcaldia: str, phone: str) -> str:
    async def create() -> str:
        request = await server.container.requests.register(
            RequestCreate(
                catalogue_code="AGU-001",
                channel=Channel.AGENT,
                alcaldia=alcaldia,
                colonia="Centro",
                citizen_name="Rosa Martínez",
                citizen_phone=phone,
                street="Calle Secreta 12",
                description="No llega agua desde el lunes.",
            ),
            actor="agente:ana",
        )
        return request.folio

    return server.run(create)


def make_overdue(server: LiveServer, folio: str) -> None:
    with Session(server.container.engine) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        request.due_at = utcnow() - timedelta(days=1)
        session.add(request)
        session.commit()


def test_authority_answers_and_the_public_sees_it(page: Page, live_server: LiveServer) -> None:
    add_staff(live_server.container.engine, "lucia", Role.AUTHORITY, authority_code="SACMEX")
    first = register(live_server, "Tlalpan", "+525512345678")
    overdue = register(live_server, "Coyoacán", "+525587654321")
    third = register(live_server, "Iztapalapa", "+525500001111")
    make_overdue(live_server, overdue)

    page.goto("/")
    page.get_by_label("Usuario").fill("lucia")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Bandeja de SACMEX")).to_be_visible()
    links = page.locator("tbody tr td:nth-child(2) a")
    expect(links).to_have_text([format_folio(f) for f in (overdue, first, third)])
    expect(page.locator("tbody tr").first.locator(".state")).to_have_text("Vencida")
    shot(page, "bandeja")

    page.get_by_label("Alcaldía").select_option("Tlalpan")
    page.get_by_role("button", name="Filtrar").click()
    expect(links).to_have_text([format_folio(first)])
    shot(page, "bandeja-filtrada")

    links.first.click()
    expect(page.get_by_text("Rosa Martínez")).to_be_visible()
    shot(page, "bandeja-folio")
    page.keyboard.press("Alt+R")
    expect(page.get_by_label("Respuesta al ciudadano")).to_be_focused()
    page.get_by_role("button", name="Enviar respuesta").click()
    expect(page.locator("#error-texto")).to_have_text("Escriba la respuesta al ciudadano.")
    expect(page.get_by_label("Respuesta al ciudadano")).to_have_attribute("aria-invalid", "true")
    shot(page, "bandeja-folio-error")
    page.get_by_label("Respuesta al ciudadano").fill(ANSWER)
    page.get_by_label("Persona responsable").fill("Ing. Laura Méndez")
    page.get_by_label("Unidad administrativa").select_option(
        label="Dirección Ejecutiva de Operación"
    )
    page.get_by_role("button", name="Enviar respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("72 horas")
    expect(page.get_by_text("Estado: turnada → atendida")).to_be_visible()
    shot(page, "bandeja-folio-respondido")

    page.keyboard.press("Alt+B")
    expect(links).to_have_text([format_folio(f) for f in (overdue, third)])
    for folio in (overdue, third):  # the keyboard alone: focus each box, Space checks it
        page.get_by_label(f"Seleccionar folio {format_folio(folio)}").focus()
        page.keyboard.press("Space")
    expect(page.locator("#todas")).to_be_checked()
    page.keyboard.press("Alt+R")
    page.keyboard.type("La cuadrilla cambió la válvula del sector.")
    page.get_by_label("Unidad administrativa").select_option(
        label="Dirección General de Agua Potable"
    )
    page.get_by_role("button", name="Responder seleccionadas").click()
    expect(page.get_by_role("status")).to_have_text(
        "Se respondieron 2 de 2 solicitudes (unidad: Dirección General de Agua Potable)."
    )
    shot(page, "bandeja-respuesta-multiple")
    page.get_by_role("link", name="Volver a la bandeja").click()
    expect(page.get_by_text("No hay solicitudes con estos filtros.")).to_be_visible()
    page.get_by_role("button", name="Salir").click()

    page.goto("/folio")
    shot(page, "folio-publico-vacio")
    page.get_by_label("Folio", exact=True).fill(format_folio(first))
    page.get_by_role("button", name="Consultar").click()
    result = page.get_by_role("region", name=f"Folio {format_folio(first)}")
    expect(result).to_contain_text("Atendida")
    expect(result).to_contain_text("Ing. Laura Méndez")
    expect(result).to_contain_text("Dirección Ejecutiva de Operación")
    expect(result).not_to_contain_text(ANSWER)
    expect(page.locator("body")).not_to_contain_text("Rosa")
    shot(page, "folio-publico")
    page.get_by_label("Últimos cuatro dígitos de su teléfono").fill("0000")
    page.get_by_role("button", name="Ver la respuesta").click()
    expect(page.locator("#error-telefono")).to_contain_text("no coinciden")
    expect(result).not_to_contain_text(ANSWER)
    shot(page, "folio-publico-error")
    page.get_by_label("Últimos cuatro dígitos de su teléfono").fill("5678")
    page.get_by_role("button", name="Ver la respuesta").click()
    expect(page.locator("#respuesta")).to_have_text(ANSWER)
    shot(page, "folio-publico-ciudadano")

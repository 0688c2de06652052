"""In the browser: the supervisors' wallboard follows a call that arrives, is answered, and
another that is abandoned, on both fronts, without reloading and without losing the focus;
and the definitions page."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from models.db_types import utcnow
from models.events import AgentStateChanged, BaseEvent, CallConnected, CallEnded
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.agent_console.wallboard_support import ANA, BETO, QUEUE, abandoned, queued
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer


def publish(live_server: LiveServer, events: list[BaseEvent]) -> None:
    for event in events:
        live_server.run(live_server.container.bus.publish, event)


def overall_now(page: Page) -> Locator:
    """The 'Ahora' table's total row: queue, waiting, longest wait, agents by state."""
    return page.locator("#colas table").nth(0).locator("tfoot tr > *")


def overall_today(page: Page) -> Locator:
    """The 'Hoy' table's total row: queue, offered, answered, abandoned, short, exits…"""
    return page.locator("#colas table").nth(1).locator("tfoot tr > *")


def agent_row(page: Page, name: str) -> Locator:
    return page.locator("#agentes tr", has=page.get_by_role("rowheader", name=name))


def test_the_wallboard_follows_calls_of_both_fronts(page: Page, live_server: LiveServer) -> None:
    engine = live_server.container.engine
    add_staff(engine, "ana", Role.AGENT, phone=ANA)
    add_staff(engine, "beto", Role.AGENT, phone=BETO)
    add_staff(engine, "sara", Role.SUPERVISOR)
    page.goto("/entrar?siguiente=/supervision/tablero")
    page.get_by_label("Usuario").fill("sara")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/supervision/tablero")
    page.wait_for_function("() => document.body.dataset.version !== undefined")
    expect(agent_row(page, "Ana Pérez")).to_contain_text("Fuera de la cola")
    expect(agent_row(page, "Beto Pérez")).to_contain_text("El frente Twilio no permite escuchar")
    shot(page, "tablero-vacio")

    now = utcnow()
    publish(
        live_server,
        [
            AgentStateChanged(agent=agent, queue=QUEUE, state="available", occurred_at=now)
            for agent in (ANA, BETO)
        ],
    )
    expect(overall_now(page).nth(3)).to_have_text("2")  # available
    listen = page.get_by_role("button", name="Escuchar a Ana Pérez")
    listen.focus()

    publish(live_server, queued("A1", "asterisk", utcnow()))  # a call arrives
    expect(overall_now(page).nth(1)).to_have_text("1")  # waiting
    expect(overall_today(page).nth(1)).to_have_text("1")  # offered
    expect(listen).to_be_focused()  # the update kept the focus where it was
    shot(page, "tablero-llamada-en-espera")

    publish(
        live_server,
        [
            AgentStateChanged(agent=ANA, queue=QUEUE, state="in_use"),
            CallConnected(call_id="A1", queue=QUEUE, agent=ANA, wait_seconds=8),
        ],
    )
    expect(overall_today(page).nth(2)).to_have_text("1")  # answered
    expect(overall_now(page).nth(1)).to_have_text("0")
    expect(agent_row(page, "Ana Pérez")).to_contain_text("En llamada")
    expect(overall_today(page).nth(6)).to_have_text("100 %")  # service level
    shot(page, "tablero-llamada-atendida")

    publish(live_server, abandoned("T1", "twilio", utcnow(), 25))  # a Twilio caller gives up
    expect(overall_today(page).nth(3)).to_have_text("1")  # abandoned
    expect(overall_today(page).nth(1)).to_have_text("2")
    expect(overall_today(page).nth(6)).to_have_text("50 %")  # 1 ÷ (1 + 1 after T)
    publish(
        live_server,
        [
            CallEnded(call_id="A1", status="answered"),
            AgentStateChanged(agent=ANA, queue=QUEUE, state="available"),
        ],
    )
    expect(agent_row(page, "Ana Pérez")).to_contain_text("En cierre")
    expect(page.locator("#graficas svg.chart")).to_have_count(3)
    shot(page, "tablero-abandono-y-cierre")

    page.keyboard.press("Alt+Y")
    page.wait_for_url("**/supervision/ayuda")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Definiciones de las cifras del centro de contacto"
    )
    expect(page.locator("body")).to_contain_text("T = 20 s")
    shot(page, "tablero-definiciones")

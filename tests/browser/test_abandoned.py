"""In the browser: an agent works through today's abandoned callers, calls the first back by
keyboard (an Asterisk call: Originate reaches the scripted AMI peer) and another by click (a
Twilio call: placed through the local Twilio API), sees each attempt recorded, and sees a new
abandoned caller appear without reloading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from models.config import Settings
from models.db_types import utcnow
from models.events import CallAbandoned
from models.users import Role
from tests.agent_console.abandoned_support import abandoned, both_fronts, earlier_today, record
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer
from tests.twilio_rest import FakeTwilioApi


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def live_settings(tmp_path: Path, ami: AmiThread, twilio_api: FakeTwilioApi) -> Settings:
    return both_fronts(
        tmp_path / "datos",
        ami_port=ami.peer.port,
        ami_secret=ami.peer.secret,
        twilio_url=twilio_api.url,
        public="http://locatel.example.mx",
    )


def test_an_agent_calls_abandoned_callers_back(
    page: Page, live_server: LiveServer, ami: AmiThread, twilio_api: FakeTwilioApi
) -> None:
    engine = live_server.container.engine
    add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
    start = earlier_today(30)  # today's, in the City's time
    later = start + (utcnow() - start) / 3
    record(
        engine,
        abandoned("1795555768.0", "5512345678", start=start, wait=95),
        abandoned("CA77", "+525598765432", start=later, transport="twilio"),
    )
    page.goto("/entrar?siguiente=/consola/abandonadas")
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/consola/abandonadas")
    expect(page.get_by_role("heading", name="Llamadas abandonadas de hoy")).to_be_visible()
    first = page.locator('tr[data-call="1795555768.0"]')
    expect(first).to_contain_text("+525512345678")
    expect(first).to_contain_text("1 min 35 s")
    shot(page, "abandonadas")

    page.keyboard.press("Alt+L")
    expect(page.get_by_role("status")).to_have_text(
        "Llamando a +525512345678: al contestar pasará a la cola de agentes."
    )
    expect(first).to_contain_text("Llamada realizada")
    expect(first).to_contain_text("Llamando…")
    (originate,) = [a for a in ami.peer.received if a.get("Action") == "Originate"]
    assert originate["Channel"] == "PJSIP/+525512345678@trunk"
    shot(page, "abandonadas-devuelta")

    twilio_api.failures = [400]
    page.keyboard.press("Alt+L")  # now the second row: the first is ringing
    second = page.locator('tr[data-call="CA77"]')
    expect(second).to_contain_text("Falló")
    expect(page.get_by_role("status")).to_contain_text("No se pudo llamar a +525598765432")
    page.get_by_role("button", name="Devolver la llamada a +525598765432").click()
    expect(second).to_contain_text("Llamada realizada")
    assert [call["To"] for call in twilio_api.calls] == ["+525598765432"]
    shot(page, "abandonadas-intentos")

    record(engine, abandoned("1795559999.0", "+525500001111", wait=40)[:-2])
    live_server.run(
        live_server.container.bus.publish,
        CallAbandoned(call_id="1795559999.0", queue="locatel", wait_seconds=40),
    )
    expect(page.locator('tr[data-call="1795559999.0"]')).to_contain_text("40 s")
    shot(page, "abandonadas-nueva")

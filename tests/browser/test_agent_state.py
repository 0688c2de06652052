"""In the browser: an agent whose phone is an Asterisk interface enters the queue, pauses with
a reason and comes back by keyboard; each action reaches the scripted AMI peer, and the page
shows the new state only when the PBX reports it. A Twilio agent's own phone is rung for the
next queued caller, and the page follows the ring, the call and its end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from models.config import AsteriskServer, AsteriskSettings, IvrSettings, Settings, TwilioSettings
from models.events import CallConnected, CallEnded, CallQueued, CallStarted
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.agent_console.test_agent_state import actions, until
from tests.asterisk.fake_ami import FakeAmi
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer
from tests.twilio_rest import FakeTwilioApi

PHONE = "PJSIP/1001"


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def live_settings(tmp_path: Path, ami: AmiThread, twilio_api: FakeTwilioApi) -> Settings:
    server = AsteriskServer(name="locatel", port=ami.peer.port, secret=SecretStr(ami.peer.secret))
    return Settings(
        data_dir=tmp_path / "datos",
        public_base_url="http://locatel.example.mx",
        twilio=TwilioSettings(
            account_sid="AC" + "1" * 32, auth_token=SecretStr("x"), api_base_url=twilio_api.url
        ),
        ivr=IvrSettings(callback_from="+525500000311"),
        asterisk=AsteriskSettings(
            servers=[server],
            agi_port=0,
            speech="dtmf",
            action_timeout_seconds=3,
            queue_refresh_seconds=0.5,
            prompts_dir=str(tmp_path / "voz"),
            recordings_dir=str(tmp_path / "grabaciones"),
        ),
        _env_file=None,
    )


def enter_console(page: Page, username: str) -> None:
    page.goto("/entrar?siguiente=/consola")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/consola")


def test_pause_with_a_reason_reaches_the_pbx_and_the_page_follows_it(
    page: Page, live_server: LiveServer, ami: AmiThread
) -> None:
    add_staff(live_server.container.engine, "ana", Role.AGENT, phone=PHONE)
    enter_console(page, "ana")
    page.wait_for_function("() => SUAC.stream() && SUAC.stream().readyState === 1")
    state = page.locator("#estado-nombre")
    expect(state).to_have_text("Fuera de la cola")
    expect(page.locator("#llamada")).to_be_empty()
    shot(page, "consola-fuera-de-cola")

    page.keyboard.press("Alt+I")
    until(lambda: actions(ami, "QueueAdd"), "QueueAdd")
    expect(state).to_have_text("Disponible")
    expect(page.get_by_role("button", name="Entrar a la cola")).to_be_disabled()
    shot(page, "consola-disponible")

    page.keyboard.press("Alt+P")  # no reason chosen yet
    expect(page.locator("#motivo-error")).to_have_text("Elija el motivo de la pausa de la lista.")
    expect(page.get_by_label("Motivo de la pausa")).to_be_focused()
    expect(page.get_by_label("Motivo de la pausa")).to_have_attribute("aria-invalid", "true")
    shot(page, "consola-pausa-sin-motivo")
    assert actions(ami, "QueuePause") == []

    # the PBX takes the pause but reports it a moment later: the page waits for the report
    ami.peer.answers["QueuePause"] = lambda action: [
        FakeAmi.response(action, "Success", "Interface paused successfully")
    ]
    page.keyboard.press("Alt+M")
    page.get_by_label("Motivo de la pausa").select_option("Comida")
    page.keyboard.press("Alt+P")
    until(lambda: actions(ami, "QueuePause"), "QueuePause")
    (pause,) = actions(ami, "QueuePause")
    assert (pause["Interface"], pause["Paused"], pause["Reason"]) == (PHONE, "true", "Comida")
    expect(page.get_by_role("status")).to_contain_text("la pausa empieza en cuanto la central")
    expect(page.locator("#motivo-error")).to_be_hidden()
    expect(state).to_have_text("Disponible")
    shot(page, "consola-pausa-solicitada")

    member = ami.peer.members[0]
    member.update(Paused="1", PausedReason="Comida")
    ami.push({"Event": "QueueMemberPause", **member})
    expect(state).to_have_text("En pausa")
    expect(page.locator("#estado-motivo")).to_have_text("Motivo: Comida")
    expect(page.locator("#estado-tiempo")).to_contain_text("desde las")
    expect(page.get_by_role("button", name="Disponible / volver de la pausa")).to_be_enabled()
    shot(page, "consola-en-pausa")

    del ami.peer.answers["QueuePause"]
    page.keyboard.press("Alt+V")
    expect(state).to_have_text("Disponible")
    assert actions(ami, "QueuePause")[-1]["Paused"] == "false"

    ami.peer.answers["QueueRemove"] = lambda action: [
        FakeAmi.response(action, "Error", "Unable to remove interface from queue")
    ]
    page.keyboard.press("Alt+X")
    expect(page.get_by_role("alert")).to_have_text(
        "La central no lo aceptó: Unable to remove interface from queue."
    )
    expect(state).to_have_text("Disponible")
    shot(page, "consola-error-central")
    del ami.peer.answers["QueueRemove"]
    page.keyboard.press("Alt+X")
    expect(state).to_have_text("Fuera de la cola")


def test_an_agent_without_a_phone_is_told_what_to_ask_for(
    page: Page, live_server: LiveServer
) -> None:
    add_staff(live_server.container.engine, "beto", Role.AGENT)
    enter_console(page, "beto")
    expect(page.get_by_role("alert")).to_contain_text("Su cuenta no tiene un teléfono configurado")
    assert page.evaluate("() => SUAC.stream()") is None
    shot(page, "consola-sin-telefono")


def test_a_twilio_agents_phone_is_rung_and_the_page_follows_the_call(
    page: Page, live_server: LiveServer, twilio_api: FakeTwilioApi
) -> None:
    agent, caller = "+525512345678", "CA" + "c" * 32
    add_staff(live_server.container.engine, "dora", Role.AGENT, phone=agent)
    enter_console(page, "dora")
    page.wait_for_function("() => SUAC.stream() && SUAC.stream().readyState === 1")
    state = page.locator("#estado-nombre")
    expect(state).to_have_text("Fuera de la cola")
    page.keyboard.press("Alt+I")
    expect(state).to_have_text("Disponible")
    shot(page, "consola-twilio-disponible")

    publish = live_server.container.bus.publish
    twilio_api.queues = {"locatel": 1}
    live_server.run(
        publish, CallStarted(call_id=caller, transport="twilio", caller="+525511112222")
    )
    live_server.run(publish, CallQueued(call_id=caller, queue="locatel", position=1))
    expect(state).to_have_text("Timbrando")
    until(lambda: twilio_api.calls, "the agent's phone rung")
    assert [c["To"] for c in twilio_api.calls] == [agent]
    shot(page, "consola-twilio-timbrando")

    live_server.run(publish, CallConnected(call_id=caller, queue="locatel", agent=agent))
    expect(state).to_have_text("En llamada")
    expect(page.locator("#llamada")).not_to_be_empty()
    page.wait_for_timeout(1200)  # the queues are republished meanwhile (the Asterisk one too)
    expect(state).to_have_text("En llamada")
    shot(page, "consola-twilio-en-llamada")
    live_server.run(publish, CallEnded(call_id=caller, status="completed"))
    expect(state).to_have_text("Disponible")
    shot(page, "consola-twilio-llamada-terminada")
    assert len(twilio_api.calls) == 1

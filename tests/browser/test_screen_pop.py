"""In the browser: a call through Twilio's signed webhooks pops on the screen of the agent it
was put through to, and not on another's; a call through the scripted AMI peer pops on its
own agent's screen; the agents send a caller back to the IVR and wrap up, by keyboard."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from ivr.twilio.simulator import SimulatedCall
from models.calls import CallRecord
from models.config import AsteriskServer, AsteriskSettings, Settings, TwilioSettings
from models.requests import Channel, RequestCreate
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.asterisk.fake_ami import channel
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer
from tests.twilio_rest import FakeTwilioApi

PUBLIC = "http://locatel.example.mx"
TOKEN = "token-de-prueba"
ANA = "+525550001001"  # a Twilio agent
BETO = "PJSIP/1002"  # an Asterisk agent
CALLER = channel("1800.7", "1800.7", "PJSIP/trunk-00000007", CallerIDNum="5587654321")
MEMBER = {"Queue": "locatel", "Interface": BETO, "MemberName": "Beto", "HoldTime": "21"}


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def live_settings(tmp_path: Path, ami: AmiThread, twilio_api: FakeTwilioApi) -> Settings:
    peer = ami.peer
    server = AsteriskServer(name="locatel", port=peer.port, secret=SecretStr(peer.secret))
    return Settings(
        data_dir=tmp_path / "datos",
        public_base_url=PUBLIC,
        twilio=TwilioSettings(
            account_sid="AC" + "1" * 32, auth_token=TOKEN, api_base_url=twilio_api.url
        ),
        asterisk=AsteriskSettings(
            servers=[server],
            agi_port=0,
            speech="dtmf",
            action_timeout_seconds=3,
            prompts_dir=str(tmp_path / "voz"),
            recordings_dir=str(tmp_path / "grabaciones"),
        ),
        _env_file=None,
    )


def agent_page(browser: Browser, server: LiveServer, username: str) -> Page:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1366, "height": 768}, locale="es-MX"
    )
    page = context.new_page()
    page.goto("/entrar?siguiente=/consola")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url("**/consola")
    page.wait_for_function("() => window.SUAC && SUAC.stream() && SUAC.stream().readyState === 1")
    return page


async def twilio_call(server: LiveServer) -> str:
    """Ask for an agent in the IVR, then Ana's leg takes the call (signed webhooks)."""
    async with httpx.AsyncClient(base_url=server.url) as http:
        call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
        await call.start()
        await call.press("1")
        await call.say("no llega el agua a mi casa en la colonia Portales en Benito Juárez")
        page = await call.press("0")
        assert page.end == "enqueue:locatel", page.xml
        url = f"{PUBLIC}/twilio/voice/queue/connected?queue=locatel&agent=%2B525550001001"
        assert (await call.post(url, {"QueueTime": "8"})).status_code == 200
        return call.call_sid


async def twilio_call_over(server: LiveServer, call_sid: str) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN, call_sid=call_sid)
        url = f"{PUBLIC}/twilio/voice/queue/result?queue=locatel"
        extra = {"QueueResult": "bridged", "QueueTime": "8", "CallStatus": "completed"}
        assert (await call.post(url, extra)).status_code == 200


async def earlier_request(server: LiveServer, phone: str) -> str:
    request = await server.container.requests.register(
        RequestCreate(
            catalogue_code="AGU-001",
            channel=Channel.TWILIO_CALL,
            alcaldia="Benito Juárez",
            citizen_phone=phone,
            description="Sin agua",
        ),
        actor="ivr",
    )
    return request.folio


def pop_of(page: Page) -> Any:
    return page.locator("#llamada #pop")


def test_calls_pop_on_the_right_agents_screen_and_are_wrapped_up(
    browser: Browser, live_server: LiveServer, ami: AmiThread, twilio_api: FakeTwilioApi
) -> None:
    engine = live_server.container.engine
    add_staff(engine, "ana", Role.AGENT, phone=ANA)
    add_staff(engine, "beto", Role.AGENT, phone=BETO)
    live_server.run(earlier_request, live_server, "+525512345678")
    ana, beto = agent_page(browser, live_server, "ana"), agent_page(browser, live_server, "beto")
    shot(ana, "pop-0-consola-sin-llamada")

    call_sid = live_server.run(twilio_call, live_server)
    expect(pop_of(ana)).to_contain_text("+525512345678", timeout=5000)
    expect(pop_of(ana)).to_contain_text("no llega el agua")
    expect(pop_of(ana)).to_contain_text("Portales")
    expect(pop_of(ana)).to_contain_text("26-0000001-8")
    expect(ana.get_by_role("link", name="Capturar solicitud")).to_have_attribute(
        "href", f"/consola/capturar?llamada={call_sid}"
    )
    shot(ana, "pop-1-llamada-twilio")
    ami.push({"Event": "Newchannel", **CALLER})
    ami.push(
        {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
        {"Event": "AgentConnect", **CALLER, **MEMBER},
    )
    expect(pop_of(beto)).to_contain_text("+525587654321", timeout=5000)
    expect(pop_of(beto)).not_to_contain_text("no llega el agua")
    expect(pop_of(ana)).not_to_contain_text("+525587654321")
    shot(beto, "pop-2-llamada-asterisk")

    # Beto sends his caller back to the IVR's status reading, then wraps up by keyboard
    beto.get_by_label("Folio (opcional").fill("26-0000001-9")
    beto.keyboard.press("Alt+E")
    expect(beto.locator("#ivr-folio-error")).to_contain_text("algún dígito está equivocado")
    shot(beto, "pop-3-folio-equivocado")
    beto.get_by_label("Folio (opcional").fill("26-0000001-8")
    beto.keyboard.press("Alt+E")
    expect(beto.locator("#cierre-form")).to_contain_text("escucha ahora el estado del folio")
    redirects = [a for a in ami.peer.received if a.get("Action") == "Redirect"]
    assert [(r["Channel"], r["Exten"]) for r in redirects] == [("1800.7", "2600000018")]
    shot(beto, "pop-4-devuelto-al-menu")
    beto.keyboard.press("Alt+G")
    expect(beto.locator("#cierre-codigo-error")).to_contain_text("Elija un código de cierre")
    shot(beto, "pop-5-cierre-sin-codigo")
    beto.keyboard.press("Alt+T")
    beto.locator("#cierre-codigo").select_option("Consulta de folio")
    beto.keyboard.press("Alt+G")
    expect(beto.locator("#cierre-hecho")).to_contain_text("Llamada cerrada: «Consulta de folio»")
    logs = [a for a in ami.peer.received if a.get("Action") == "QueueLog"]
    assert [(q["Event"], q["Uniqueid"], q["Interface"]) for q in logs] == [
        ("WRAPUP", "1800.7", BETO)
    ]
    shot(beto, "pop-6-cierre-asterisk")

    # Ana's caller hangs up: the wrap-up form comes by itself
    live_server.run(twilio_call_over, live_server, call_sid)
    expect(ana.locator("#cierre-form")).to_be_visible(timeout=5000)
    expect(ana.locator("#cierre-codigo")).to_be_focused()
    shot(ana, "pop-7-fin-de-llamada")
    ana.locator("#cierre-codigo").select_option("Información general")
    ana.get_by_label("Notas").fill("Se le explicó el trámite de pipas.")
    ana.keyboard.press("Alt+G")
    expect(ana.locator("#cierre-hecho")).to_contain_text("Información general")
    expect(ana.locator("#cierre-hecho .warning")).to_have_count(0)
    shot(ana, "pop-8-cierre-twilio")

    assert wrapped_up(engine, call_sid) == "Información general"


def wrapped_up(engine: Engine, call_id: str) -> str | None:
    """The call record's wrap-up code once the recorder wrote it (with its seconds)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as session:
            record = session.get(CallRecord, call_id)
            if record is not None and record.wrapup_disposition:
                assert record.wrapup_seconds is not None and record.wrapup_seconds >= 0
                return record.wrapup_disposition
        time.sleep(0.02)
    return None

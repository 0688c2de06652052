"""In the browser: a supervisor listens to an agent's live call from the wallboard; it
reaches the scripted AMI peer as an ``Originate`` of the supervisor's phone into ``ChanSpy``
with the listen options, the supervisor ends it, and an administrator finds both in the audit
log. An agent cannot start one, and a refusal is explained."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from models.config import AsteriskServer, AsteriskSettings, Settings
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.agent_console.test_spy import MEMBER, connect, originates, until
from tests.asterisk.fake_ami import channel
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def live_settings(tmp_path: Path, ami: AmiThread) -> Settings:
    server = AsteriskServer(name="locatel", port=ami.peer.port, secret=SecretStr(ami.peer.secret))
    return Settings(
        data_dir=tmp_path / "datos",
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


def in_use(ami: AmiThread, status: str) -> None:
    """Ana's phone in the queue with a device state (2 in use, 1 free), pushed and listed."""
    member = {**MEMBER, "Status": status, "Paused": "0"}
    ami.peer.members = [member]
    ami.push({"Event": "QueueMemberStatus", **member})


def sign_in_at(page: Page, username: str, target: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/entrar?siguiente={target}")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"**{target}")


def test_a_supervisor_listens_ends_it_and_the_administrator_reads_it(
    page: Page, live_server: LiveServer, ami: AmiThread
) -> None:
    engine = live_server.container.engine
    add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
    add_staff(engine, "beto", Role.AGENT, phone="PJSIP/1002")
    add_staff(engine, "sara", Role.SUPERVISOR, phone="PJSIP/1900")
    add_staff(engine, "admin", Role.ADMIN)
    call_id = connect(ami, live_server.app.state.recent_calls)
    in_use(ami, "2")  # the PBX reports Ana's phone in use

    # an agent may not: the page is refused and nothing reaches the PBX
    sign_in_at(page, "ana", "/consola")
    expect(page.get_by_role("link", name="Escucha")).to_have_count(0)
    page.goto("/supervision/escucha")
    expect(page.get_by_text("Su cuenta no tiene permiso para esta página.")).to_be_visible()
    shot(page, "escucha-agente-sin-permiso")

    sign_in_at(page, "sara", "/consola")
    page.get_by_role("link", name="Escucha").click()
    page.wait_for_url("**/supervision/escucha")
    expect(page.get_by_role("row", name="Ana Pérez")).to_contain_text(call_id)
    expect(page.get_by_role("row", name="Beto Pérez")).to_have_count(0)  # not on a call
    shot(page, "escucha-asesores-en-llamada")

    # from the agent's row of the wallboard
    page.get_by_role("link", name="Tablero").click()
    page.wait_for_url("**/supervision/tablero")
    expect(page.locator("#agentes")).to_contain_text("En llamada")
    page.get_by_role("button", name="Escuchar a Ana Pérez").click()
    expect(page.get_by_role("heading", name="Escucha iniciada")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Su teléfono PJSIP/1900 está sonando")
    (sent,) = until(lambda: originates(ami.peer))
    assert (sent["Channel"], sent["Application"], sent["Data"]) == (
        "PJSIP/1900",
        "ChanSpy",
        "PJSIP/1001-,qES",
    )
    shot(page, "escucha-iniciada")

    spy = sent["ChannelId"]
    ami.peer.channels = [channel(spy, spy, "PJSIP/1900-0000000b")]
    page.keyboard.press("Alt+T")
    expect(page.get_by_role("heading", name="Escucha terminada")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Terminada por el supervisor.")
    hangups = until(lambda: [a for a in ami.peer.received if a.get("Action") == "Hangup"])
    assert [h["Channel"] for h in hangups] == [spy]
    shot(page, "escucha-terminada")

    # a refusal: the wallboard still offers the modes on an agent whose call just ended
    page.keyboard.press("Alt+R")
    page.wait_for_url("**/supervision/tablero")
    trunk = channel(call_id, call_id, "PJSIP/trunk-00000001")
    ami.push(
        {"Event": "AgentComplete", **trunk, **MEMBER, "Reason": "caller"},
        {"Event": "Hangup", **trunk, "Cause": "16"},
    )
    until(lambda: live_server.app.state.recent_calls.current_call("PJSIP/1001") is None)
    in_use(ami, "1")
    expect(page.locator("#agentes")).not_to_contain_text("En llamada")
    page.get_by_role("button", name="Susurrar a Ana Pérez").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Ana Pérez no está en una llamada en este momento."
    )
    shot(page, "escucha-rechazada")
    assert len(originates(ami.peer)) == 1

    sign_in_at(page, "admin", "/admin/usuarios")
    page.get_by_role("link", name="Auditoría").click()
    page.wait_for_url("**/admin/auditoria")
    rows = page.locator("table.audit-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Susurro")
    expect(rows.nth(0)).to_contain_text("Rechazada")
    expect(rows.nth(1)).to_contain_text("Escucha")
    expect(rows.nth(1)).to_contain_text("Iniciada")
    expect(rows.nth(1)).to_contain_text(call_id)
    expect(rows.nth(1)).to_contain_text("Terminada por el supervisor.")
    shot(page, "auditoria-escucha")

    page.get_by_label("Supervisor").select_option("sara")
    page.get_by_label("Asesor (teléfono o nombre)").fill("PJSIP/1002")
    page.get_by_label("Asesor (teléfono o nombre)").press("Enter")
    expect(page.get_by_text("Ningún intento coincide con los filtros.")).to_be_visible()
    expect(page.get_by_label("Supervisor")).to_have_value("sara")
    shot(page, "auditoria-escucha-filtrada")

"""Listen, whisper and barge driven through the scripted AMI peer: each mode originates the
supervisor's phone into ``ChanSpy`` on the agent's channel with that mode's options; every
attempt is in the audit log, refused ones with the reason; nobody but a supervisor starts one
and then nothing is sent; the end is recorded when the PBX reports the supervisor's channel
hung up or when the supervisor ends it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.db import session_scope
from models.recent_calls import RecentCalls
from models.spy_audit import SpyAudit
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.asterisk.fake_ami import FakeAmi, channel
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread, settings_for_peer


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def client(tmp_path: Path, ami: AmiThread) -> Iterator[TestClient]:
    peer = ami.peer
    settings = settings_for_peer(tmp_path, peer)
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
        add_staff(engine, "beto", Role.AGENT, phone="PJSIP/1002")
        add_staff(engine, "tere", Role.AGENT, phone="+525587654321")
        add_staff(engine, "sara", Role.SUPERVISOR, phone="PJSIP/1900")
        add_staff(engine, "sin", Role.SUPERVISOR)
        add_staff(engine, "admin", Role.ADMIN)
        add_staff(engine, "sacmex", Role.AUTHORITY, authority_code="SACMEX")
        yield test_client


def until(condition: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
    return value


CALLER = channel("1764.1", "1764.1", "PJSIP/trunk-00000001")
MEMBER = {"Queue": "locatel", "Interface": "PJSIP/1001", "MemberName": "Ana", "HoldTime": "9"}


def connect(ami: AmiThread, recent: RecentCalls) -> str:
    """A caller queued and answered by PJSIP/1001, as the AMI reports it."""
    ami.push(
        {"Event": "Newchannel", **CALLER},
        {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
        {"Event": "AgentConnect", **CALLER, **MEMBER},
    )
    until(lambda: recent.current_call("PJSIP/1001"))
    return "1764.1"


def originates(peer: FakeAmi) -> list[dict[str, str]]:
    return [a for a in peer.received if a.get("Action") == "Originate"]


def audit(client: TestClient) -> list[SpyAudit]:
    with session_scope(client.app.state.container.engine) as session:
        rows = list(session.exec(select(SpyAudit).order_by(SpyAudit.id)))  # type: ignore[arg-type]
        session.expunge_all()
        return rows


@pytest.mark.parametrize(
    ("mode", "options", "label"),
    [
        ("escuchar", "qES", "Escucha"),
        ("susurrar", "qwES", "Susurro"),
        ("intervenir", "qBES", "Intervención"),
    ],
)
def test_each_mode_originates_the_supervisor_into_chanspy_and_is_audited(
    client: TestClient, ami: AmiThread, mode: str, options: str, label: str
) -> None:
    call_id = connect(ami, client.app.state.recent_calls)
    sign_in(client, "sara")
    page = client.get("/supervision/escucha")
    assert page.status_code == 200 and "Ana Pérez" in page.text and call_id in page.text
    answer = post_form(client, "/supervision/escucha", {"agente": "PJSIP/1001", "modo": mode})
    assert answer.status_code == 200, answer.text
    assert f"{label} iniciada" in answer.text and "PJSIP/1900 está sonando" in answer.text
    (sent,) = until(lambda: originates(ami.peer))
    (row,) = audit(client)
    assert (sent["Channel"], sent["Application"], sent["Data"], sent["Async"]) == (
        "PJSIP/1900",
        "ChanSpy",
        f"PJSIP/1001-,{options}",
        "true",
    )
    assert sent["ChannelId"] == row.channel_id and row.channel_id.startswith("suac-escucha-")
    assert (row.supervisor, row.supervisor_phone, row.agent_phone, row.agent_name) == (
        "sara",
        "PJSIP/1900",
        "PJSIP/1001",
        "Ana Pérez",
    )
    assert (row.call_id, row.mode, row.outcome, row.ended_at) == (
        call_id,
        mode,
        "started",
        None,
    )
    # the supervisor's channel as Asterisk names it; it hangs up when the agent's call ends
    spy = channel(row.channel_id, row.channel_id, "PJSIP/1900-0000000b")
    ami.push(
        {"Event": "Newchannel", **spy},
        {"Event": "Hangup", **spy, "Cause": "16", "Cause-txt": "Normal Clearing"},
    )
    (ended,) = until(lambda: [r for r in audit(client) if r.ended_at is not None])
    assert ended.end_note == "La central cerró el canal del supervisor (Normal Clearing)."
    assert client.app.state.recent_calls.get(row.channel_id) is None  # no call of its own


def test_the_supervisor_ends_a_session_with_a_hangup_of_its_channel(
    client: TestClient, ami: AmiThread
) -> None:
    connect(ami, client.app.state.recent_calls)
    sign_in(client, "sara")
    post_form(client, "/supervision/escucha", {"agente": "PJSIP/1001", "modo": "escuchar"})
    (row,) = audit(client)
    ami.peer.channels = [channel(row.channel_id, row.channel_id, "PJSIP/1900-0000000c")]
    ended = post_form(client, f"/supervision/escucha/{row.id}/terminar", {})
    assert ended.status_code == 200 and "Escucha terminada" in ended.text
    hangups = [a for a in ami.peer.received if a.get("Action") == "Hangup"]
    assert [h["Channel"] for h in hangups] == [row.channel_id]
    (row,) = audit(client)
    assert row.ended_at is not None and row.end_note == "Terminada por el supervisor."
    # gone already: Asterisk's "No such channel" is an end too, recorded once
    again = post_form(client, f"/supervision/escucha/{row.id}/terminar", {})
    assert (
        again.status_code == 200
        and len([a for a in ami.peer.received if a.get("Action") == "Hangup"]) == 1
    )
    sign_in(client, "sin")
    other = post_form(client, f"/supervision/escucha/{row.id}/terminar", {})
    assert other.status_code == 404 and "no es suya" in other.text


@pytest.mark.parametrize("who", [None, "ana", "sacmex", "admin"])
def test_nobody_but_a_supervisor_starts_one_and_nothing_is_sent(
    client: TestClient, ami: AmiThread, who: str | None
) -> None:
    connect(ami, client.app.state.recent_calls)
    client.get("/entrar")
    if who is not None:
        sign_in(client, who)
    answer = post_form(
        client,
        "/supervision/escucha",
        {"agente": "PJSIP/1001", "modo": "escuchar"},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert answer.status_code == (303 if who is None else 403)
    time.sleep(0.2)
    assert not originates(ami.peer) and not audit(client)


@pytest.mark.parametrize(
    ("user", "data", "status", "message"),
    [
        (
            "sara",
            {"agente": "PJSIP/1002", "modo": "escuchar"},
            409,
            "Beto Pérez no está en una llamada en este momento.",
        ),
        (
            "sara",
            {"agente": "+525587654321", "modo": "susurrar"},
            409,
            "El frente Twilio todavía no permite escuchar, susurrar ni intervenir llamadas",
        ),
        ("sin", {"agente": "PJSIP/1001", "modo": "escuchar"}, 409, "Su cuenta no tiene teléfono"),
        (
            "sara",
            {"agente": "PJSIP/1001", "modo": "grabar"},
            422,
            "Elija escuchar, susurrar o intervenir.",
        ),
        (
            "sara",
            {"agente": "PJSIP/7777", "modo": "escuchar"},
            422,
            "Ningún asesor activo tiene el teléfono «PJSIP/7777».",
        ),
    ],
    ids=["not-on-a-call", "twilio", "supervisor-without-phone", "bad-mode", "unknown-agent"],
)
def test_refusals_are_explained_recorded_and_send_nothing(
    client: TestClient,
    ami: AmiThread,
    user: str,
    data: dict[str, str],
    status: int,
    message: str,
) -> None:
    connect(ami, client.app.state.recent_calls)  # Ana is on a call; Beto is not
    sign_in(client, user)
    answer = post_form(client, "/supervision/escucha", data)
    assert answer.status_code == status and message in answer.text
    assert 'role="alert"' in answer.text
    (row,) = audit(client)
    assert (row.supervisor, row.agent_phone, row.outcome) == (user, data["agente"], "refused")
    assert message in row.reason and row.channel_id is None
    assert not originates(ami.peer)


def test_the_pbx_refusal_is_explained_and_recorded(client: TestClient, ami: AmiThread) -> None:
    connect(ami, client.app.state.recent_calls)
    ami.peer.answers["Originate"] = lambda action: [
        FakeAmi.response(action, "Error", "Originate failed")
    ]
    sign_in(client, "sara")
    answer = post_form(client, "/supervision/escucha", {"agente": "PJSIP/1001", "modo": "escuchar"})
    assert (
        answer.status_code == 502 and "La central no lo aceptó: «Originate failed»." in answer.text
    )
    (row,) = audit(client)
    assert (row.outcome, row.reason) == ("failed", "La central no lo aceptó: «Originate failed».")


def test_administrators_read_the_log_filtered_and_paginated(
    client: TestClient, ami: AmiThread
) -> None:
    connect(ami, client.app.state.recent_calls)
    sign_in(client, "sara")
    post_form(client, "/supervision/escucha", {"agente": "PJSIP/1001", "modo": "intervenir"})
    for _ in range(50):
        post_form(client, "/supervision/escucha", {"agente": "PJSIP/1002", "modo": "escuchar"})
    sign_in(client, "sin")
    post_form(client, "/supervision/escucha", {"agente": "PJSIP/1001", "modo": "escuchar"})
    sign_in(client, "admin")
    page = client.get("/admin/auditoria")
    assert page.status_code == 200 and "52 intentos; página 1 de 2" in page.text
    assert 'href="/admin/auditoria"' in page.text  # the administrators' nav
    assert "Su cuenta no tiene teléfono" in page.text  # newest first
    second = client.get("/admin/auditoria?pagina=2")
    assert "Intervención" in second.text and "Iniciada" in second.text
    mine = client.get("/admin/auditoria?supervisor=sin")
    assert "1 intentos" in mine.text and "Rechazada" in mine.text
    ana = client.get("/admin/auditoria?agente=ana")
    assert "2 intentos" in ana.text
    today = time.strftime("%Y-%m-%d")
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 2 * 86400))
    assert "0 intentos" in client.get(f"/admin/auditoria?desde={tomorrow}").text
    assert "52 intentos" in client.get(f"/admin/auditoria?hasta={tomorrow}").text
    bad = client.get(f"/admin/auditoria?desde=ayer&hasta={today}")
    assert bad.status_code == 422
    assert 'aria-describedby="error-desde"' in bad.text and "escríbala como AAAA-MM-DD" in bad.text
    assert client.get("/supervision/escucha", headers={"accept": "text/html"}).status_code == 403

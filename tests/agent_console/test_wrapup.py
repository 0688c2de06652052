"""The wrap-up of an Asterisk call driven through the scripted AMI peer: the code and the
wrap-up time reach Asterisk's queue log (``QueueLog``) and the call record; a refused code
is explained next to the field; a telephony failure loses nothing; the caller is sent back
to the IVR's status reading with ``Redirect``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from models.calls import CallRecord
from models.events import CallHandedOver
from models.handoff import CategoryGuess, HandoffContext
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.asterisk.fake_ami import FakeAmi, channel
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread, settings_for_peer

CODE = "Consulta de folio"


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
        yield test_client


def until(condition: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
    return value


CALLER = channel("1764.1", "1764.1", "PJSIP/trunk-00000001")
MEMBER = {"Queue": "locatel", "Interface": "PJSIP/1001", "MemberName": "Ana", "HoldTime": "9"}


def connect(client: TestClient, ami: AmiThread) -> str:
    """A caller handed over by the IVR, queued and answered by PJSIP/1001."""
    context = HandoffContext(
        caller="+525512345678",
        path=["menu", "folio"],
        transcript=["quiero saber de mi folio"],
        categories=[CategoryGuess(code="VIA-001", name="Bache en calle", confidence=0.71)],
        alcaldia="Coyoacán",
        reason="tres intentos sin éxito",
    )
    notifier = client.app.state.container.notifier
    recent = client.app.state.recent_calls
    ami.push({"Event": "Newchannel", **CALLER})
    until(lambda: recent.get("1764.1"))
    handed = CallHandedOver(call_id="1764.1", queue="locatel", context=context, source="ivr")
    client.portal.call(notifier.publish, handed)
    ami.push(
        {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
        {"Event": "AgentConnect", **CALLER, **MEMBER},
    )
    until(lambda: recent.get("1764.1").agent == "PJSIP/1001")
    return "1764.1"


def hang_up(client: TestClient, ami: AmiThread, call_id: str) -> None:
    ami.push(
        {"Event": "AgentComplete", **CALLER, **MEMBER, "Reason": "caller"},
        {"Event": "Hangup", **CALLER, "Cause": "16", "Cause-txt": "Normal Clearing"},
    )
    until(lambda: client.app.state.recent_calls.get(call_id).ended_at)


def queue_logs(peer: FakeAmi) -> list[dict[str, str]]:
    return [a for a in peer.received if a.get("Action") == "QueueLog"]


def test_an_asterisk_call_pops_on_its_agent_and_its_wrapup_reaches_the_queue_log(
    client: TestClient, ami: AmiThread
) -> None:
    call_id = connect(client, ami)
    sign_in(client, "ana")
    pop = client.get(f"/consola/llamadas/{call_id}")
    assert pop.status_code == 200
    assert "+525512345678" in pop.text and "Coyoacán" in pop.text and "71 %" in pop.text
    url = f"/consola/llamadas/{call_id}/cierre"
    early = post_form(client, url, {"codigo": CODE})
    assert early.status_code == 409 and "sigue en curso" in early.text
    hang_up(client, ami, call_id)
    form = client.get(url)
    assert form.status_code == 200 and f"<option>{CODE}</option>" in form.text
    refused = post_form(client, url, {"codigo": "Otra cosa", "notas": "nota"})
    assert refused.status_code == 422
    assert 'aria-describedby="cierre-codigo-error"' in refused.text
    assert (
        "Elija un código de cierre de la lista." in refused.text
        and "nota</textarea>" in refused.text
    )
    assert not queue_logs(ami.peer)
    time.sleep(1.1)
    done = post_form(client, url, {"codigo": CODE, "notas": "Se le leyó el estado."})
    assert done.status_code == 200 and "Llamada cerrada" in done.text, done.text
    (logged,) = until(lambda: queue_logs(ami.peer))
    code, seconds = logged["Message"].split("|")
    assert (logged["Event"], logged["Uniqueid"], logged["Interface"], code) == (
        "WRAPUP",
        call_id,
        "PJSIP/1001",
        CODE,
    )
    assert int(seconds) >= 1

    def recorded() -> CallRecord | None:
        with Session(client.app.state.container.engine) as session:
            record = session.get(CallRecord, call_id)
            return record if record is not None and record.wrapped_up_at else None

    record = until(recorded)
    assert (record.wrapup_disposition, record.wrapup_notes) == (CODE, "Se le leyó el estado.")
    assert record.wrapup_seconds is not None and record.wrapup_seconds >= 1.0
    again = post_form(client, url, {"codigo": CODE})
    assert again.status_code == 409 and "ya se cerró" in again.text


def test_a_queue_log_failure_keeps_the_wrapup_and_says_so(
    client: TestClient, ami: AmiThread
) -> None:
    ami.peer.answers["QueueLog"] = lambda action: [
        FakeAmi.response(action, "Error", "Queue not found")
    ]
    call_id = connect(client, ami)
    hang_up(client, ami, call_id)
    sign_in(client, "ana")
    done = post_form(client, f"/consola/llamadas/{call_id}/cierre", {"codigo": CODE})
    assert done.status_code == 200
    assert "no se escribió en la bitácora de Asterisk" in done.text
    assert "Queue not found" in done.text
    assert client.app.state.recent_calls.get(call_id).wrapup_disposition == CODE


def test_another_agent_can_neither_see_nor_close_the_call(
    client: TestClient, ami: AmiThread
) -> None:
    call_id = connect(client, ami)
    hang_up(client, ami, call_id)
    sign_in(client, "beto")
    assert client.get(f"/consola/llamadas/{call_id}").status_code == 403
    refused = post_form(client, f"/consola/llamadas/{call_id}/cierre", {"codigo": CODE})
    assert refused.status_code == 403
    assert not queue_logs(ami.peer)


def test_back_to_the_ivr_redirects_the_callers_channel(client: TestClient, ami: AmiThread) -> None:
    call_id = connect(client, ami)
    sign_in(client, "ana")
    answer = post_form(client, f"/consola/llamadas/{call_id}/estado", {"folio": "26-0000001-8"})
    assert answer.status_code == 200 and 'id="cierre-form"' in answer.text, answer.text
    (redirect,) = [a for a in ami.peer.received if a.get("Action") == "Redirect"]
    assert (redirect["Channel"], redirect["Context"], redirect["Exten"]) == (
        call_id,
        "locatel-estado",
        "2600000018",
    )
    ami.peer.answers["Redirect"] = lambda action: [
        FakeAmi.response(action, "Error", "Channel not specified")
    ]
    failed = post_form(client, f"/consola/llamadas/{call_id}/estado", {"folio": ""})
    assert failed.status_code == 502 and "Channel not specified" in failed.text

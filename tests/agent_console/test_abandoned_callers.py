"""Today's abandoned callers in the console, called back with one click through the scripted
AMI peer (Asterisk's calls) or the local Twilio API (Twilio's), each attempt recorded."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from twilio.request_validator import RequestValidator

from agent_console.abandoned_callback import AbandonedDesk
from models.access_log import PersonalDataView
from models.callback_attempts import CallbackAttempt, CallbackBusy
from models.calls import CallRecord
from models.db import session_scope
from models.ivr_sessions import CallbackRequest
from models.users import Role
from suac.web import create_app
from tests.agent_console.abandoned_support import (
    CITY,
    PUBLIC,
    TOKEN,
    abandoned,
    answered,
    booked_callback,
    both_fronts,
    record,
)
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.asterisk.fake_ami import Headers
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread
from tests.twilio_rest import FakeTwilioApi

NUMBER = "+525512345678"
JSON = {"accept": "application/json"}


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def client(tmp_path: Path, ami: AmiThread, twilio_api: FakeTwilioApi) -> Iterator[TestClient]:
    settings = both_fronts(
        tmp_path, ami_port=ami.peer.port, ami_secret=ami.peer.secret, twilio_url=twilio_api.url
    )
    # the public URL is https, so the session cookie is Secure: browse over https too
    with TestClient(create_app(settings), base_url="https://testserver") as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
        add_staff(engine, "beto", Role.AGENT, phone="PJSIP/1002")
        add_staff(engine, "eva", Role.AUTHORITY, authority_code="SACMEX")
        sign_in(test_client, "ana")
        yield test_client


def engine_of(client: TestClient):  # noqa: ANN201
    return client.app.state.container.engine


def originates(ami: AmiThread) -> list[Headers]:
    return [a for a in list(ami.peer.received) if a.get("Action") == "Originate"]


def rows(client: TestClient) -> list[str]:
    """The list's rows as text."""
    page = client.get("/consola/abandonadas/lista").text
    found = re.findall(r"<tr data-call[^>]*>(.*?)</tr>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def attempts(client: TestClient) -> list[CallbackAttempt]:
    with session_scope(engine_of(client)) as session:
        return list(session.exec(select(CallbackAttempt).order_by(CallbackAttempt.id)))


def until(check: Callable[[], object], what: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_the_list_shows_number_wait_time_and_asked_call_back(client: TestClient) -> None:
    engine = engine_of(client)
    record(engine, abandoned("1795555768.0", "5512345678", wait=95))
    record(engine, booked_callback("CA9", "+525598765432"))
    with session_scope(engine) as session:
        session.add(CallbackRequest(call_id="CA9", phone="+525598765432", queue="locatel"))
    page = client.get("/consola/abandonadas")
    assert page.status_code == 200
    assert "<h1>Llamadas abandonadas de hoy</h1>" in page.text
    assert 'data-shortcut="Alt+L"' in page.text and "<kbd>Alt</kbd>+<kbd>L</kbd>" in page.text
    first, second = rows(client)
    assert first.startswith(f"{NUMBER} ") and "1 min 35 s 1 No Ninguno Devolver llamada" in first
    assert second.startswith("+525598765432 ") and "Sí, en el menú" in second
    with session_scope(engine) as session:
        logged = session.exec(select(PersonalDataView)).all()
    assert {(v.username, v.call_id, v.page) for v in logged} == {
        ("ana", "1795555768.0", "/consola/abandonadas"),
        ("ana", "CA9", "/consola/abandonadas"),
    }, "every view of the callers' numbers is logged"


def test_only_agents_see_it(client: TestClient) -> None:
    client.cookies.clear()
    assert client.get("/consola/abandonadas/eventos").status_code == 401  # an EventSource
    sign_in(client, "eva")
    assert client.get("/consola/abandonadas").status_code == 403
    assert client.get("/consola/abandonadas/eventos").status_code == 403
    assert post_form(client, "/consola/abandonadas/c1/devolver", {}).status_code == 403


def test_an_asterisk_caller_is_called_back_through_the_command_path(
    client: TestClient, ami: AmiThread
) -> None:
    record(engine_of(client), abandoned("1795555768.0", "5512345678"))
    done = post_form(
        client, "/consola/abandonadas/1795555768.0/devolver", {}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].startswith(
        "/consola/abandonadas?intento="
    )
    (sent,) = originates(ami)
    assert sent["Channel"] == f"PJSIP/{NUMBER}@trunk"
    assert (sent["Context"], sent["Exten"], sent["CallerID"]) == ("locatel-cola", "s", "0311")
    assert sent["Variable"] == "SUAC_LLAMADA=1795555768.0"
    page = client.get(done.headers["location"]).text
    assert f"Llamando a {NUMBER}: al contestar pasará a la cola de agentes." in page
    (row,) = rows(client)
    assert "Llamada realizada" in row and "· ana" in row and "Llamando…" in row
    assert "Devolver llamada" not in row, "the number is held while it rings"
    (attempt,) = attempts(client)
    assert (attempt.agent, attempt.result, attempt.transport) == ("ana", "placed", "asterisk")
    again = post_form(client, "/consola/abandonadas/1795555768.0/devolver", {}, headers=JSON)
    assert again.status_code == 409
    assert again.json() == {
        "ok": False,
        "message": "ana acaba de llamar a este número; espere a que conteste.",
    }
    assert len(originates(ami)) == 1


def test_a_refused_originate_is_recorded_with_asterisks_reason(
    client: TestClient, ami: AmiThread
) -> None:
    ami.peer.answers["Originate"] = lambda action: [
        ami.peer.response(action, "Error", "Originate failed")
    ]
    record(engine_of(client), abandoned("1795555768.0", NUMBER))
    answer = post_form(client, "/consola/abandonadas/1795555768.0/devolver", {}, headers=JSON)
    assert answer.status_code == 200
    assert answer.json() == {
        "ok": False,
        "message": f"No se pudo llamar a {NUMBER}: Asterisk no hizo la llamada: Originate failed",
    }
    (row,) = rows(client)
    assert "Falló" in row and "Asterisk no hizo la llamada: Originate failed" in row
    assert "Devolver llamada" in row, "a failed attempt frees the number at once"
    del ami.peer.answers["Originate"]
    assert post_form(client, "/consola/abandonadas/1795555768.0/devolver", {}, headers=JSON).json()[
        "ok"
    ]
    assert [a.result for a in attempts(client)] == ["failed", "placed"]


def test_a_twilio_caller_is_called_back_into_the_queue_by_the_ivrs_webhook(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    engine = engine_of(client)
    record(engine, abandoned("CA1", NUMBER, transport="twilio"))
    answer = post_form(client, "/consola/abandonadas/CA1/devolver", {}, headers=JSON)
    assert answer.json()["ok"], answer.text
    (placed,) = twilio_api.calls
    with session_scope(engine) as session:
        row = session.exec(select(CallbackRequest)).one()
    assert (placed["To"], placed["From"]) == (NUMBER, CITY)
    assert placed["Url"] == f"{PUBLIC}/twilio/voice/callback?id={row.id}"
    (attempt,) = attempts(client)
    assert (row.status, row.placed_call_sid) == ("placed", attempt.placed_call_id)
    assert attempt.placed_call_id and attempt.transport == "twilio"
    sid = attempt.placed_call_id

    def callback_record() -> CallRecord | None:
        with session_scope(engine) as session:
            return session.get(CallRecord, sid)

    until(callback_record, "the call-back's record")
    record_ = callback_record()
    assert record_ is not None and (record_.caller, record_.called) == (CITY, NUMBER)

    params = {"CallSid": sid, "From": CITY, "To": NUMBER, "CallStatus": "in-progress"}
    signature = RequestValidator(TOKEN).compute_signature(placed["Url"], params)
    twiml = client.post(
        f"/twilio/voice/callback?id={row.id}",
        data=params,
        headers={"X-Twilio-Signature": signature},
    )
    assert "le llamamos de Locatel" in twiml.text and ">locatel</Enqueue>" in twiml.text
    (row_text,) = rows(client)
    assert "Llamando…" in row_text, "placed is not answered: the caller stays until answered"
    assert "Sí, en el menú" not in row_text, "the agent's call-back is not one the caller asked"
    record(engine, answered(sid, CITY, called=NUMBER, transport="twilio"))
    assert rows(client) == [], "an answered call-back takes the caller off the list"


def test_a_call_back_booked_in_the_ivr_is_taken_from_the_dispatcher(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    engine = engine_of(client)
    record(engine, booked_callback("CA9", NUMBER))
    with session_scope(engine) as session:
        session.add(CallbackRequest(call_id="CA9", phone=NUMBER, queue="locatel", context="{}"))
    twilio_api.failures = [400]
    failed = post_form(client, "/consola/abandonadas/CA9/devolver", {}, headers=JSON).json()
    assert not failed["ok"] and "Twilio rechazó hacer la llamada" in failed["message"]
    with session_scope(engine) as session:
        (row,) = session.exec(select(CallbackRequest)).all()
    assert row.status == "waiting", "a failed try leaves the booked call-back to the dispatcher"
    assert post_form(client, "/consola/abandonadas/CA9/devolver", {}, headers=JSON).json()["ok"]
    (placed,) = twilio_api.calls
    with session_scope(engine) as session:
        (row,) = session.exec(select(CallbackRequest)).all()
    assert placed["Url"].endswith(f"/twilio/voice/callback?id={row.id}"), "the booked row"
    assert row.status == "placed" and row.placed_call_sid
    (row_text,) = rows(client)
    assert "Sí, en el menú" in row_text and "Falló" in row_text and "Llamada realizada" in row_text


def test_two_agents_clicking_at_once_make_one_call(client: TestClient, ami: AmiThread) -> None:
    record(engine_of(client), abandoned("1795555768.0", NUMBER))
    container = client.app.state.container
    desk = AbandonedDesk(
        engine=container.engine,
        telephony=container.telephony,
        notifier=container.notifier,
        settings=container.settings,
    )

    async def both() -> list[object]:
        clicks = [desk.call_back("1795555768.0", agent=name) for name in ("ana", "beto")]
        return await asyncio.gather(*clicks, return_exceptions=True)

    outcomes = client.portal.call(both)
    busy = [o for o in outcomes if isinstance(o, CallbackBusy)]
    made = [o for o in outcomes if isinstance(o, CallbackAttempt)]
    assert len(busy) == 1 and len(made) == 1 and made[0].result == "placed"
    assert "ya está llamando a este número" in busy[0].message
    assert len(originates(ami)) == 1 and len(attempts(client)) == 1


def test_a_caller_who_got_through_leaves_the_list(client: TestClient) -> None:
    engine = engine_of(client)
    record(engine, abandoned("1795555768.0", NUMBER))
    assert len(rows(client)) == 1
    record(engine, answered("1795555900.0", "5512345678"))
    assert rows(client) == []
    gone = post_form(client, "/consola/abandonadas/1795555768.0/devolver", {})
    assert gone.status_code == 404
    assert "Esa llamada ya no está en la lista: alguien ya la atendió." in gone.text


def test_only_todays_calls_in_the_citys_time(client: TestClient) -> None:
    container = client.app.state.container
    desk = AbandonedDesk(
        engine=container.engine,
        telephony=container.telephony,
        notifier=container.notifier,
        settings=container.settings,
    )
    midnight = desk.since()
    assert (midnight.hour, midnight.minute, str(midnight.tzinfo)) == (0, 0, "America/Mexico_City")
    record(
        container.engine,
        abandoned("ayer", "+525500000001", start=midnight - timedelta(minutes=5)),
        abandoned("hoy", "+525500000002", start=midnight + timedelta(seconds=1)),
    )
    assert [c.latest.call_id for c in client.portal.call(desk.callers)] == ["hoy"]

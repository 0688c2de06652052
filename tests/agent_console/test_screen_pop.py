"""The screen pop of a call driven through Twilio's signed webhooks: what the IVR learned, the
caller's folios, the personal-data log, and who may see it; a caller sent back to the IVR."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from ivr.twilio.simulator import SimulatedCall
from models.access_log import PersonalDataView
from models.calls import CallRecord
from models.config import Settings, TwilioSettings
from models.events import CallTransferred
from models.folio import format_folio
from models.requests import Channel, RequestCreate
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.twilio_rest import FakeTwilioApi

PUBLIC = "https://locatel.example.mx"
TOKEN = "token-de-prueba"
CALLER = "+525512345678"
ANA, BETO = "+525550001001", "+525550001002"


@pytest.fixture
def twilio_settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    return Settings(
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        twilio=TwilioSettings(
            account_sid="AC" + "1" * 32, auth_token=TOKEN, api_base_url=twilio_api.url
        ),
        _env_file=None,
    )


@pytest.fixture
def client(twilio_settings: Settings) -> Iterator[TestClient]:
    # HTTPS like the public base URL: the session cookie is Secure
    with TestClient(create_app(twilio_settings), base_url="https://testserver") as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "ana", Role.AGENT, phone=ANA)
        add_staff(engine, "beto", Role.AGENT, phone=BETO)
        add_staff(engine, "sara", Role.SUPERVISOR)
        yield test_client


def webhooks(client: TestClient, steps: Any) -> Any:
    """Run ``steps(call)`` against the app's signed Twilio webhooks, on the app's loop."""

    async def run() -> Any:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            call = SimulatedCall(
                http=http, public_base_url=PUBLIC, auth_token=TOKEN, caller="55 1234 5678"
            )
            return await steps(call)

    return client.portal.call(run)


def earlier_request(client: TestClient, phone: str = CALLER) -> str:
    container = client.app.state.container
    request = client.portal.call(
        lambda: container.requests.register(
            RequestCreate(
                catalogue_code="AGU-001",
                channel=Channel.TWILIO_CALL,
                alcaldia="Iztapalapa",
                citizen_phone=phone,
                description="Sin agua desde el lunes",
            ),
            actor="ivr",
        )
    )
    return request.folio


async def to_agent(call: SimulatedCall) -> str:
    """Describe a pothole, ask for an agent, and be put through to Ana after 12 s."""
    await call.start()
    await call.press("1")
    await call.say("hay un bache enorme en la colonia Narvarte de Benito Juárez")
    page = await call.press("0")
    assert page.end == "enqueue:locatel", page.xml
    url = f"{PUBLIC}/twilio/voice/queue/connected?queue=locatel&agent=%2B525550001001"
    assert (await call.post(url, {"QueueTime": "12"})).status_code == 200
    return call.call_sid


def until(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_the_pop_shows_the_call_the_ivr_and_the_callers_folios(client: TestClient) -> None:
    earlier = earlier_request(client)
    other = earlier_request(client, phone="+525599998888")
    call_sid = webhooks(client, to_agent)
    sign_in(client, "ana")
    started = time.monotonic()
    response = client.get(f"/consola/llamadas/{call_sid}")
    assert time.monotonic() - started < 1.0
    assert response.status_code == 200, response.text
    page = response.text
    assert CALLER in page
    assert "bache enorme" in page  # the transcript
    assert "Bache" in page and "%" in page  # the top categories, with confidence
    assert "Benito Juárez" in page and "Narvarte" in page
    assert "el ciudadano pidió un asesor" in page
    assert format_folio(earlier) in page and "turnada" in page
    assert format_folio(other) not in page
    assert f"/consola/capturar?llamada={call_sid}" in page
    with Session(client.app.state.container.engine) as session:
        views = session.exec(
            select(PersonalDataView).where(col(PersonalDataView.call_id) == call_sid)
        ).all()
    assert [(v.username, v.role, v.folio) for v in views] == [("ana", "agent", earlier)]
    assert views[0].page == f"/consola/llamadas/{call_sid}"


def test_only_the_agent_on_the_call_or_a_supervisor_sees_the_pop(client: TestClient) -> None:
    call_sid = webhooks(client, to_agent)
    sign_in(client, "beto")
    assert client.get(f"/consola/llamadas/{call_sid}").status_code == 403
    assert post_form(client, f"/consola/llamadas/{call_sid}/estado", {}).status_code == 403
    with Session(client.app.state.container.engine) as session:
        assert not session.exec(select(PersonalDataView)).all()
    client.cookies.clear()
    sign_in(client, "sara")
    assert client.get(f"/consola/llamadas/{call_sid}").status_code == 200
    assert client.get("/consola/llamadas/CA-no-existe").status_code == 404


def test_the_pop_does_not_wait_for_the_call_recorder(client: TestClient) -> None:
    """The worker's recorder writes the record later; the web process's own view serves."""
    call_sid = webhooks(client, to_agent)
    engine = client.app.state.container.engine

    def recorded() -> CallRecord | None:
        with Session(engine) as session:
            record = session.get(CallRecord, call_sid)
            return record if record is not None and record.agent else None

    until(recorded)
    with Session(engine) as session:
        session.delete(session.get(CallRecord, call_sid))  # as if the recorder lagged
        session.commit()
    sign_in(client, "ana")
    response = client.get(f"/consola/llamadas/{call_sid}")
    assert response.status_code == 200 and "bache enorme" in response.text


def test_back_to_the_ivr_redirects_the_twilio_call_and_reads_the_status(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    earlier = earlier_request(client)
    call_sid = webhooks(client, to_agent)
    sign_in(client, "ana")
    url = f"/consola/llamadas/{call_sid}/estado"
    refused = post_form(client, url, {"folio": earlier[:-1] + str((int(earlier[-1]) + 1) % 10)})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text and "algún dígito está equivocado" in refused.text
    answer = post_form(client, url, {"folio": format_folio(earlier)})
    assert answer.status_code == 200, answer.text
    assert "escucha ahora el estado del folio" in answer.text and 'id="cierre-form"' in answer.text
    (update,) = twilio_api.updates
    assert update["path"].endswith(f"/Calls/{call_sid}.json")
    assert update["Url"] == f"{PUBLIC}/twilio/voice/estado?folio={earlier}"

    async def follow(call: SimulatedCall) -> Any:  # Twilio fetches the redirect's URL
        call.call_sid = call_sid
        return await call.post(update["Url"])

    twiml = webhooks(client, follow)
    assert twiml.status_code == 200 and "turnada" in twiml.text.lower(), twiml.text
    recent = client.app.state.recent_calls.get(call_sid)
    assert recent.transfer_target == "ivr-estado"
    twilio_api.failures.append(500)
    failed = post_form(client, url, {"folio": ""})
    assert failed.status_code == 502 and "No se pudo devolver la llamada" in failed.text


def test_a_transfer_event_starts_the_wrapup_clock(client: TestClient) -> None:
    """A call the agent sent elsewhere can be wrapped up before the caller hangs up."""
    call_sid = webhooks(client, to_agent)
    notifier = client.app.state.container.notifier
    client.portal.call(notifier.publish, CallTransferred(call_id=call_sid, target="ivr-estado"))
    sign_in(client, "ana")
    until(lambda: client.app.state.recent_calls.get(call_sid).transferred_at is not None)
    done = post_form(
        client, f"/consola/llamadas/{call_sid}/cierre", {"codigo": "Consulta de folio"}
    )
    assert done.status_code == 200 and "Llamada cerrada" in done.text

"""End-to-end calls through signed Twilio webhooks against the real app and classifier."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from test_twilio_support import ACCOUNT, PUBLIC, TOKEN, until

from ivr.twilio.simulator import SimulatedCall
from models.config import Settings, TwilioSettings
from models.db import make_engine, session_scope, upgrade
from models.events import CallEnded, CallHandedOver, RequestRegistered
from models.folio import format_folio, verhoeff_digit
from models.requests import Channel, RequestCreate, ServiceRequest
from suac.web import create_app


@pytest.fixture
def call(twilio_http: httpx.AsyncClient) -> SimulatedCall:
    """A new simulated call."""
    return SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)


def container(twilio_app):
    return twilio_app.state.container


async def accept(call: SimulatedCall, page, name: str):  # noqa: ANN001, ANN201
    """Take the category named ``name`` whether the IVR confirms it or offers a choice."""
    if "Entendí que su solicitud es sobre" in page.text:
        assert name.lower() in page.text.lower(), page.text
        return await call.press("1")
    offered = re.findall(r"Si su solicitud es sobre (.+?), marque (\d)", page.text)
    key = next(k for offer, k in offered if name.lower() in offer.lower())
    return await call.press(key)


async def settle_place(call: SimulatedCall, page, key: str):  # noqa: ANN001, ANN201
    """Key the alcaldía if asked, then confirm the place read back."""
    if "¿En qué alcaldía" in page.text:
        page = await call.press(key)
    assert "¿es correcto?" in page.text, page.text
    return await call.press("1")


def registered(twilio_app, call_id: str) -> list[ServiceRequest]:
    with session_scope(container(twilio_app).engine) as session:
        return list(session.exec(select(ServiceRequest).where(ServiceRequest.call_id == call_id)))


async def test_register_by_keys_and_speech(twilio_app, call: SimulatedCall, twilio_api) -> None:
    page = await call.start()
    assert "Bienvenido a Locatel" in page.text and "marque 1" in page.text
    assert page.gather["input"] == "dtmf speech" and page.gather["language"] == "es-MX"
    page = await call.press("1")
    assert "Describa" in page.text
    page = await call.say("no tengo agua en mi casa desde ayer")
    page = await accept(call, page, "Falta de agua")
    assert "¿En qué alcaldía" in page.text and "Xochimilco" not in page.text
    page = await call.press("09")
    assert "Alcaldía Iztapalapa, ¿es correcto?" in page.text
    page = await call.press("1")
    assert "referencia" in page.text
    page = await call.say("calle Morelos esquina con Ermita frente a la escuela")
    assert "quedó registrada" in page.text and "a más tardar" in page.text
    rows = registered(twilio_app, call.call_sid)
    assert len(rows) == 1 and rows[0].alcaldia == "Iztapalapa"
    assert rows[0].channel == Channel.TWILIO_CALL and rows[0].reference.startswith("calle Morelos")
    digits = " ".join(
        ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"][int(d)]
        for d in rows[0].folio[:2]
    )
    assert digits in page.text
    assert "mensaje de texto" in page.text
    await until(lambda: twilio_api.messages)  # sent by a job, off the webhook's path
    (sms,) = twilio_api.messages
    assert sms["To"] == call.caller and sms["From"] == "LOCATEL"
    assert sms["StatusCallback"] == f"{PUBLIC}/twilio/messaging/status"
    assert format_folio(rows[0].folio) in sms["Body"] and "Respuesta a mas tardar" in sms["Body"]
    assert twilio_api.paths == [f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"]
    again = await call.press("1")
    assert "quedó registrada" in again.text
    end = await call.silence()
    assert "Gracias por llamar" in end.text and end.end == "hangup"


async def test_retried_webhook_gets_the_same_answer_and_registers_once(twilio_app, call) -> None:
    await call.start()
    await call.press("1")
    page = await call.say("hay una fuga de agua en la banqueta de mi calle en coyoacán")
    page = await accept(call, page, "Fuga de agua")
    page = await settle_place(call, page, "04")
    action = call.last.action
    first, second = await asyncio.gather(
        call.post(action, {"SpeechResult": "avenida Universidad frente al parque"}),
        call.post(action, {"SpeechResult": "avenida Universidad frente al parque"}),
    )
    assert first.status_code == second.status_code == 200
    assert first.text == second.text and "quedó registrada" in first.text
    third = await call.post(action, {"SpeechResult": "avenida Universidad frente al parque"})
    assert third.text == first.text
    assert len(registered(twilio_app, call.call_sid)) == 1


async def test_forged_and_missing_signatures_are_refused(twilio_http, call, caplog) -> None:
    page = await call.start()
    assert page.status_code == 200
    url = page.action
    params = {"CallSid": call.call_sid, "Digits": "2"}
    forged = call.sign(url, {**params, "Digits": "1"})
    local = url.removeprefix(PUBLIC)
    response = await twilio_http.post(local, data=params, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403
    response = await twilio_http.post(local, data=params)
    assert response.status_code == 403
    wrong_host = SimulatedCall(
        http=twilio_http, public_base_url="https://evil.example", auth_token=TOKEN
    )
    assert (await wrong_host.start()).status_code == 403
    assert "refused an unsigned or forged Twilio request" in caplog.text


async def _folio(
    twilio_app, *, answered: bool = False, overdue: bool = False, phone: str | None = None
) -> str:
    service = container(twilio_app).requests
    request = await service.register(
        RequestCreate(
            catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan", citizen_phone=phone
        ),
        actor="agente:prueba",
    )
    if answered:
        await service.start_progress(request.folio, actor="autoridad")
        await service.answer(
            request.folio,
            text="Se envió una pipa y se reparó la válvula. Queda en observación.",
            responsible_person="Ing. Laura Méndez",
            unit_code=request.unit_code,
            actor="autoridad",
        )
    if overdue:
        with session_scope(container(twilio_app).engine) as session:
            row = session.exec(
                select(ServiceRequest).where(ServiceRequest.folio == request.folio)
            ).one()
            row.received_at -= timedelta(days=40)
            row.due_at -= timedelta(days=40)
            session.add(row)
    return request.folio


async def _status(call: SimulatedCall, folio: str):
    await call.start()
    page = await call.press("2")
    assert "tecla de gato" in page.text and page.gather["finishOnKey"] == "#"
    return await call.press(folio)


async def test_status_of_an_open_folio(twilio_app, call) -> None:
    page = await _status(call, await _folio(twilio_app))
    assert "está turnada" in page.text and "El plazo para responderle vence el" in page.text
    assert "La atiende" in page.text


async def test_status_of_an_answered_folio(twilio_app, call) -> None:
    """The citizen, calling from the number they gave, hears the answer itself."""
    page = await _status(call, await _folio(twilio_app, answered=True, phone=call.caller))
    assert "está atendida" in page.text
    assert "Respondió Ing. Laura Méndez" in page.text and "se reparó la válvula." in page.text
    assert "plazo" not in page.text


async def test_status_of_an_answered_folio_from_another_number(twilio_app, call) -> None:
    """Anyone else hears who answered, never what the answer says."""
    page = await _status(call, await _folio(twilio_app, answered=True, phone="5587654321"))
    assert "está atendida" in page.text and "Respondió Ing. Laura Méndez" in page.text
    assert "válvula" not in page.text


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "VIA-001",
            "La atiende la Alcaldía Gustavo A. Madero, por medio de la Dirección General de "
            "Obras y Desarrollo Urbano.",
        ),
        (
            "AGU-001",
            "La atiende el Sistema de Aguas de la Ciudad de México, por medio de la Dirección "
            "General de Agua Potable.",
        ),
    ],
)
async def test_status_says_the_authority_with_its_article_and_kind(
    twilio_app, call, code, said
) -> None:
    request = await container(twilio_app).requests.register(
        RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia="Gustavo A. Madero"),
        actor="agente:prueba",
    )
    page = await _status(call, request.folio)
    assert said in page.text and "SACMEX" not in page.text


async def test_status_of_an_overdue_folio(twilio_app, call) -> None:
    page = await _status(call, await _folio(twilio_app, overdue=True))
    assert "venció" in page.text and "fuera de plazo" in page.text


async def test_wrong_check_digit_is_explained_then_three_failures_go_to_an_agent(
    twilio_app, call
) -> None:
    folio = await _folio(twilio_app)
    wrong = folio[:-1] + str((int(folio[-1]) + 1) % 10)
    assert verhoeff_digit(folio[:-1]) != wrong[-1]
    page = await _status(call, wrong)
    assert "último dígito" in page.text and page.action
    page = await call.press("12345")
    assert "diez dígitos" in page.text
    async with container(twilio_app).bus.subscribe() as events:
        page = await call.silence()
        assert page.end == "enqueue:locatel" and "Le comunico con un asesor" in page.text
        event = await asyncio.wait_for(anext(events), 2)
        while not isinstance(event, CallHandedOver):
            event = await asyncio.wait_for(anext(events), 2)
    assert event.context.path == ["menu", "folio"]
    assert event.context.reason == "tres intentos sin éxito"


async def test_silence_reprompts_and_zero_reaches_an_agent(call) -> None:
    await call.start()
    page = await call.silence()
    assert "No recibimos su respuesta" in page.text and page.action
    page = await call.press("0")
    assert page.end == "enqueue:locatel"


async def test_hang_up_mid_registration_leaves_nothing(twilio_app, call) -> None:
    await call.start()
    await call.press("1")
    await call.say("hay un bache enorme en mi calle")
    async with container(twilio_app).bus.subscribe() as events:
        response = await call.hang_up(duration=42)
        assert response.status_code == 204
        event = await asyncio.wait_for(anext(events), 2)
    assert isinstance(event, CallEnded) and event.cause == "caller-hangup"
    assert event.duration_seconds == 42
    assert registered(twilio_app, call.call_sid) == []
    assert (await call.hang_up()).status_code == 204


async def test_registration_publishes_the_call_id(twilio_app, call) -> None:
    async with container(twilio_app).bus.subscribe() as events:
        await call.start()
        page = await call.say("no tengo agua en mi casa desde ayer en iztapalapa")
        page = await accept(call, page, "Falta de agua")
        page = await settle_place(call, page, "09")
        await call.say("calle Morelos frente al mercado")
        seen = []
        while not any(isinstance(e, RequestRegistered) for e in seen):
            seen.append(await asyncio.wait_for(anext(events), 2))
    event = next(e for e in seen if isinstance(e, RequestRegistered))
    assert event.call_id == call.call_sid and event.channel == Channel.TWILIO_CALL


@pytest.mark.postgres
async def test_a_call_keeps_its_state_on_postgresql(pg_settings: Settings, twilio_api) -> None:
    upgrade(make_engine(pg_settings.database_url))
    settings = pg_settings.model_copy(
        update={"public_base_url": PUBLIC, "twilio": TwilioSettings(auth_token=TOKEN)}
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            call = SimulatedCall(http=client, public_base_url=PUBLIC, auth_token=TOKEN)
            await call.start()
            page = await call.press("2")
            retried = await call.post(f"{PUBLIC}/twilio/voice/step?seq=1", {"Digits": "2"})
            assert retried.text == page.xml and "tecla de gato" in page.text
            page = await call.press("2600000000")
            assert "no es válido" in page.text or "no encontramos" in page.text.lower()


@pytest.mark.redis
async def test_call_state_in_redis_serves_retries_once(voice_settings: Settings, redis_url) -> None:
    ivr = voice_settings.ivr.model_copy(update={"state_redis_url": redis_url})
    settings = voice_settings.model_copy(update={"redis_url": redis_url, "ivr": ivr})
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            call = SimulatedCall(http=client, public_base_url=PUBLIC, auth_token=TOKEN)
            first = await call.start()
            assert (await call.start()).xml == first.xml
            action = first.action
            answers = await asyncio.gather(*(call.post(action, {"Digits": "2"}) for _ in range(5)))
            assert len({a.text for a in answers}) == 1 and "tecla de gato" in answers[0].text
            stored = await application.state.container.ivr.voice.store.load(call.call_sid)
            assert stored.seq == 2 and stored.claimed_seq == 2
            stale = await call.post(f"{PUBLIC}/twilio/voice/step?seq=9", {"Digits": "1"})
            assert stale.text == answers[0].text


async def test_a_call_publishes_its_events_for_metrics(twilio_app, call) -> None:
    async with container(twilio_app).bus.subscribe() as events:
        await call.start()
        await call.say("quiero saber el estado de mi solicitud", confidence=0.83)
        await call.say("quiero hablar con un asesor")
        await call.hang_up(duration=61)
        seen = []
        while not seen or seen[-1].type != "call.ended":
            seen.append(await asyncio.wait_for(anext(events), 2))
    mine = [e for e in seen if getattr(e, "call_id", None) == call.call_sid]
    types = [e.type for e in mine]
    assert types[:2] == ["call.started", "call.ivr_step"]
    assert types.count("call.speech_result") == 2 and "call.handed_over" in types
    assert types[-1] == "call.ended"
    started, speech = mine[0], next(e for e in mine if e.type == "call.speech_result")
    assert started.transport == "twilio" and started.caller == call.caller
    assert speech.engine == "twilio" and speech.confidence == pytest.approx(0.83)
    steps = [e.step for e in mine if e.type == "call.ivr_step"]
    assert steps == ["menu", "folio"]
    ended = mine[-1]
    assert ended.duration_seconds == 61 and ended.status == "completed"
    assert ended.cause == "completed"

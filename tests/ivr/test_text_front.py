"""The call flow by SMS and WhatsApp, through the signed messaging webhook (the text front)."""

from __future__ import annotations

import asyncio
import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select
from test_flow_prompts import SAMPLE, UNACCENTED
from test_sms import _answer, registered
from test_twilio_support import PUBLIC, TOKEN, until
from twilio.request_validator import RequestValidator

from ivr.prompts import TEMPLATES, PromptBook
from ivr.twilio.sms_text import is_gsm7, segments, to_gsm7
from models.db import session_scope
from models.events import CallIvrStep, CallStarted, RequestRegistered
from models.folio import format_folio
from models.outbox import Job
from models.requests import Channel, ServiceRequest, Status

CITIZEN = "+525512345678"
WHATSAPP = "whatsapp:+5215511112222"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


async def send(
    http: httpx.AsyncClient, body: str, sender: str = CITIZEN, sid: str | None = None
) -> str:
    """Post one signed incoming message; the reply's text."""
    path = "/twilio/messaging"
    params = {"MessageSid": sid or new_sid(), "From": sender, "To": "+525556581111", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    response = await http.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    message = ET.fromstring(response.text).find("Message")
    assert message is not None and message.text
    return message.text


def answer_for(reply: str, *, tema: str, alcaldia: str, reference: str) -> str | None:
    """What a citizen answers to ``reply`` on the way to registering (None: registered)."""
    plain = reply.lower()
    if "quedo registrada" in plain or "quedó registrada" in plain:
        return None
    if "entendi que su solicitud es sobre" in plain or "entendí que su solicitud es sobre" in plain:
        assert tema.lower() in plain, reply
        return "sí"
    offered = re.findall(r"si su solicitud es sobre (.+?), responda (\d)", plain)
    if offered:
        return next(key for offer, key in offered if tema.lower() in offer)
    if "referencia" in plain:
        return reference
    if "es correcto" in plain:  # the place read back
        return "sí"
    if "alcald" in plain:
        return alcaldia
    raise AssertionError(f"unexpected reply: {reply}")


async def register(
    http: httpx.AsyncClient,
    sender: str,
    first: str = "hola, hay un bache en mi calle",
    *,
    tema: str = "bache",
    alcaldia: str = "Iztapalapa",
    reference: str = "calle Morelos esquina con Ermita frente a la escuela",
) -> list[str]:
    """A whole registration by messages; every reply, the folio's last."""
    replies = [await send(http, first, sender)]
    for _ in range(8):
        said = answer_for(replies[-1], tema=tema, alcaldia=alcaldia, reference=reference)
        if said is None:
            return replies
        replies.append(await send(http, said, sender))
    raise AssertionError(f"not registered: {replies}")


async def drained(events) -> list:  # noqa: ANN001
    """The events published so far (none more within a moment)."""
    seen = []
    while True:
        try:
            seen.append(await asyncio.wait_for(anext(events), 0.3))
        except TimeoutError:
            return seen


def requests_of(app, channel: Channel) -> list[ServiceRequest]:
    with session_scope(app.state.container.engine) as session:
        query = select(ServiceRequest).where(ServiceRequest.channel == channel)
        return list(session.exec(query))


def folio_jobs(app) -> list[Job]:
    with session_scope(app.state.container.engine) as session:
        return list(session.exec(select(Job).where(Job.kind == "message.folio")))


async def test_a_whole_registration_by_sms(twilio_app, twilio_http) -> None:
    async with twilio_app.state.container.bus.subscribe() as events:
        replies = await register(twilio_http, CITIZEN)
        seen = await drained(events)
    assert replies[0].startswith("Bienvenido a Locatel")
    assert "Bache" in replies[0] or "bache" in replies[0]
    (request,) = requests_of(twilio_app, Channel.SMS)
    assert request.alcaldia == "Iztapalapa" and request.citizen_phone == CITIZEN
    assert request.reference.startswith("calle Morelos")
    assert f"Anote su folio: {format_folio(request.folio)}." in replies[-1]
    assert "a mas tardar el " in replies[-1] and "Responda 1 para repetirlo." in replies[-1]
    assert [segments(reply)[0] for reply in replies] == [1] * 5  # five replies, one SMS each
    for reply in replies:  # GSM-7 whenever an accent would cost a segment
        assert is_gsm7(reply) or segments(reply) == (1, "UCS-2"), reply
    assert not folio_jobs(twilio_app)  # the folio went in the reply: no second message
    assert any(isinstance(e, RequestRegistered) and e.channel == Channel.SMS for e in seen)
    assert not [e for e in seen if isinstance(e, CallStarted | CallIvrStep)]  # not a call
    again = await send(twilio_http, "1")
    assert format_folio(request.folio) in again
    assert "Gracias por escribir" in await send(twilio_http, "gracias, es todo")
    assert (await send(twilio_http, "hola")).startswith("Bienvenido")  # a new conversation


async def test_a_whole_registration_by_whatsapp_keeps_accents(twilio_app, twilio_http) -> None:
    replies = await register(
        twilio_http, WHATSAPP, "hay una fuga de agua en la banqueta", tema="fuga de agua"
    )
    (request,) = requests_of(twilio_app, Channel.WHATSAPP)
    assert request.citizen_phone == "+525511112222"  # later notices go by SMS to the number
    assert "quedó registrada" in replies[-1] and "más tardar" in replies[-1]
    assert format_folio(request.folio) in replies[-1]


async def test_keys_as_typed_digits_and_status_by_conversation(twilio_app, twilio_http) -> None:
    folio = await registered(twilio_app, "+525587654321")
    menu = await send(twilio_http, "hola")
    assert "Escribanos qué necesita" in menu and "responda 2" in menu
    assert segments(menu) == (1, "GSM-7")  # the greeting and the menu in one SMS
    assert "diez digitos" in to_gsm7(await send(twilio_http, "2"))
    wrong = to_gsm7(await send(twilio_http, folio[:-1]))
    assert "tiene diez digitos" in wrong
    status = to_gsm7(await send(twilio_http, format_folio(folio)))
    assert f"La solicitud con folio {format_folio(folio)} esta turnada." in status
    assert "Para consultar otro folio, responda 1" in status


async def test_a_folio_in_the_middle_of_a_conversation(twilio_app, twilio_http) -> None:
    folio = await registered(twilio_app, "+525587654321")
    first = await send(twilio_http, "hay un bache enorme en mi calle")
    reply = await send(twilio_http, folio)
    assert reply.startswith(f"Locatel, folio {format_folio(folio)}: turnada.")
    assert "Para seguir con su solicitud:" in reply
    assert first.endswith(reply.split("Para seguir con su solicitud: ")[1])  # asked again
    replies = await register(twilio_http, CITIZEN, "sí")  # and the conversation goes on
    assert "quedo registrada" in replies[-1]
    assert len(requests_of(twilio_app, Channel.SMS)) == 1


async def test_the_72_hour_confirmation_is_still_answered(
    twilio_app, twilio_http, twilio_api
) -> None:
    replies = await register(twilio_http, CITIZEN)
    (request,) = requests_of(twilio_app, Channel.SMS)
    service = twilio_app.state.container.requests
    await _answer(twilio_app, request.folio)
    await until(lambda: any("resolvi" in m["Body"] for m in twilio_api.messages))
    assert "quedo registrada" in replies[-1]  # the conversation is still open, and yet
    reply = await send(twilio_http, "Sí, ya quedó")
    assert "Cerramos su solicitud" in reply
    assert (await service.get(request.folio)).status == Status.CLOSED


async def test_an_idle_conversation_expires(twilio_app, twilio_http) -> None:
    conversations = twilio_app.state.container.ivr.texts.conversations
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    conversations.clock = lambda: now
    asked = await send(twilio_http, "hay un bache enorme en mi calle")
    assert "Bienvenido" in asked
    now += timedelta(minutes=29)
    assert "Bienvenido" not in await send(twilio_http, "no")  # still the same conversation
    now += timedelta(minutes=31)
    assert (await send(twilio_http, "hola")).startswith("Bienvenido")  # forgotten: anew


async def test_a_retried_message_is_answered_once(twilio_app, twilio_http) -> None:
    await send(twilio_http, "hola")
    await send(twilio_http, "1")
    sid = new_sid()
    first, second = await asyncio.gather(
        send(twilio_http, "hay un bache enorme en mi calle", sid=sid),
        send(twilio_http, "hay un bache enorme en mi calle", sid=sid),
    )
    assert first == second
    third = await send(twilio_http, "hay un bache enorme en mi calle", sid=sid)
    assert third == first and "Disculpe" not in third


async def test_nothing_is_stuck_after_an_error(twilio_app, twilio_http, caplog) -> None:
    flow = twilio_app.state.container.ivr.texts.flow
    await send(twilio_http, "hola")
    real = flow.handle

    async def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("falla de prueba")

    flow.handle = broken
    reply = await send(twilio_http, "hay un bache en mi calle")
    assert reply.startswith("Disculpe, tuvimos un problema") and "*0311" in reply
    assert "falla de prueba" in caplog.text
    flow.handle = real
    assert (await send(twilio_http, "hola")).startswith("Bienvenido")


async def test_an_agent_by_message_says_how_to_reach_one(twilio_app, twilio_http) -> None:
    reply = await send(twilio_http, "quiero hablar con un asesor")
    assert "Le atendera un asesor" in reply and "*0311" in reply
    assert (await send(twilio_http, "hola")).startswith("Bienvenido")  # the hand-over ended it


def test_every_written_prompt_renders_in_accented_spanish() -> None:
    book = PromptBook(variant="texto")
    for path in sorted((TEMPLATES / "texto").glob("*.j2")):
        assert path.stem in PromptBook().names(), path  # a variant of a prompt that exists
        text = book.text(path.stem, **SAMPLE)
        assert text and "{{" not in text and not re.search(UNACCENTED, text), text
        assert not re.search(r"\b(marque|diga|escuchar|tecla|colgar)\b", text, re.I), text


async def test_the_alcaldia_by_typed_keys(twilio_app, twilio_http) -> None:
    reply = await send(twilio_http, "hay un bache enorme en mi calle")
    while "alcaldía" not in reply.lower() and "alcaldia" not in reply.lower():
        reply = await send(twilio_http, answer_for(reply, tema="bache", alcaldia="", reference=""))
    listed = await send(twilio_http, "*")
    assert "09 Iztapalapa," in listed and "16 Xochimilco." in listed
    assert "Alcaldía Iztapalapa, ¿es correcto?" in await send(twilio_http, "09")


async def test_a_key_without_a_conversation_starts_one(twilio_http) -> None:
    reply = await send(twilio_http, "1")  # a menu's key, not a folio to look up
    assert reply.startswith("Bienvenido") and "Describa el problema" in reply

"""SMS and WhatsApp through the signed messaging webhook, the outbound client and callbacks."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx
import pytest
from test_twilio_support import ACCOUNT, PUBLIC, TOKEN, until
from twilio.request_validator import RequestValidator

from ivr.prompts import PromptBook
from ivr.prompts.spoken_names import SpokenNames
from ivr.twilio.sms_text import fit_sms, segments, to_gsm7
from models.config import PACKAGE_DATA
from models.events import MessageStatusChanged
from models.folio import format_folio, make_folio
from models.lifecycle import OPEN_STATUSES, STATUS_LABELS
from models.reference_data import read_authorities
from models.requests import Channel, RequestCreate, Status

CITIZEN = "+525512345678"


async def send(
    twilio_http: httpx.AsyncClient,
    body: str,
    sender: str = CITIZEN,
    path: str = "/twilio/messaging",
):
    """Post a signed incoming message; the reply text (or the HTTP response on error)."""
    params = {"MessageSid": "SM" + "a" * 32, "From": sender, "To": "+525556581111", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    response = await twilio_http.post(path, data=params, headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        return response
    message = ET.fromstring(response.text).find("Message")
    return message.text if message is not None else ""


async def registered(twilio_app, phone: str = CITIZEN) -> str:
    request = await twilio_app.state.container.requests.register(
        RequestCreate(
            catalogue_code="AGU-001",
            channel=Channel.AGENT,
            alcaldia="Coyoacán",
            citizen_name="Juana Pérez",
            citizen_phone=phone,
            reference="Calle Privada 12, casa azul",
        ),
        actor="agente:prueba",
    )
    return request.folio


def test_segments_gsm7_versus_ucs2() -> None:
    assert segments("a" * 160) == (1, "GSM-7") and segments("a" * 161) == (2, "GSM-7")
    assert segments("€" * 80) == (1, "GSM-7") and segments("€" * 81) == (2, "GSM-7")
    assert segments("á" * 70) == (1, "UCS-2") and segments("á" * 71) == (2, "UCS-2")
    assert to_gsm7("¿Qué pasó? «Sí» ñandú…") == '¿Qué paso? "Si" ñandu...'
    assert fit_sms("Atención") == "Atención"
    long = "Su solicitud está en atención. " * 3
    assert segments(long)[0] == 2 and fit_sms(long) == to_gsm7(long)


@pytest.mark.parametrize(
    "form", ["{f}", "{dashed}", "FOLIO {spaced}", "folio: {dashed}", " {dotted} ", "Folio#{f}"]
)
async def test_folio_in_every_form_gets_its_status_without_personal_data(
    twilio_app, twilio_http, form
) -> None:
    folio = await registered(twilio_app)
    body = form.format(
        f=folio,
        dashed=format_folio(folio),
        spaced=" ".join(format_folio(folio).split("-")),
        dotted=format_folio(folio).replace("-", "."),
    )
    reply = await send(twilio_http, body)
    assert reply.startswith(f"Locatel, folio {format_folio(folio)}: turnada.")
    assert "Plazo:" in reply and segments(reply)[0] == 1
    for private in ("Juana", "Pérez", "Privada", "azul", CITIZEN):
        assert private not in reply


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("VIA-001", "La atiende la Alcaldía Gustavo A. Madero."),
        ("AGU-001", "La atiende el Sistema de Aguas de la Ciudad de México."),
    ],
)
async def test_status_message_names_the_authority_with_its_article(
    twilio_app, twilio_http, code, said
) -> None:
    request = await twilio_app.state.container.requests.register(
        RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia="Gustavo A. Madero"),
        actor="agente:prueba",
    )
    reply = await send(twilio_http, request.folio)
    assert reply.startswith(f"Locatel, folio {format_folio(request.folio)}: turnada. ")
    assert to_gsm7(said) in to_gsm7(reply) and segments(reply)[0] == 1


def test_every_authority_s_status_message_fits_one_sms() -> None:
    said, book = SpokenNames.from_file(PACKAGE_DATA / "authorities.yaml"), PromptBook()
    longest = max((STATUS_LABELS[s] for s in OPEN_STATUSES), key=len)
    for authority, _ in read_authorities(PACKAGE_DATA / "authorities.yaml"):
        text = book.text(
            "sms-estado",
            folio="26-0001234-9",
            estado=longest,
            autoridad=said.authority(authority.code, authority.name, short=True),
            vencido=True,
            fecha="30 de septiembre de 2026",
        )
        assert segments(fit_sms(text))[0] == 1, text


async def test_help_guide_invalid_and_unknown_folios(twilio_app, twilio_http) -> None:
    help_reply = await send(twilio_http, "Ayuda")
    assert help_reply.startswith("Locatel: envie su folio de 10 digitos")
    assert segments(help_reply) == (1, "GSM-7")
    conversation = await send(twilio_http, "hola, ¿me ayudan con un bache?")
    assert conversation.startswith("Bienvenido a Locatel")  # the text front's conversation
    folio = await registered(twilio_app)
    wrong = folio[:-1] + str((int(folio[-1]) + 1) % 10)
    assert "no es valido" in await send(twilio_http, wrong)
    assert "no encontramos" in await send(twilio_http, make_folio(2026, 9_999_999))


async def test_whatsapp_keeps_accents_and_uses_the_same_endpoint(twilio_app, twilio_http) -> None:
    reply = await send(twilio_http, "ayuda", sender="whatsapp:+5215511112222")
    assert reply.startswith("Locatel: envíe su folio de 10 dígitos")


@pytest.mark.parametrize(
    "body",
    [
        "x" * 20_000,
        "🚰💧 no hay agua 💧" * 50,
        "\u202eolof\u202c 26\u200b00",
        "e\u0301\u0301\u0301" * 300,
        "\x00\x01\x07 folio",
        "",
    ],
)
async def test_oversized_and_odd_unicode_bodies_get_an_answer(twilio_http, body) -> None:
    reply = await send(twilio_http, body)
    assert isinstance(reply, str) and reply.startswith("Bienvenido a Locatel")


async def test_status_queries_are_rate_limited_per_number(twilio_app, twilio_http) -> None:
    folio = await registered(twilio_app)
    replies = [await send(twilio_http, folio) for _ in range(6)]
    assert all("turnada" in r for r in replies[:5])
    assert "muchas consultas" in replies[5]
    assert "turnada" in await send(twilio_http, folio, sender="+525587654321")


async def test_forged_message_is_refused(twilio_http) -> None:
    params = {"From": CITIZEN, "Body": "ayuda"}
    response = await twilio_http.post(
        "/twilio/messaging", data=params, headers={"X-Twilio-Signature": "x"}
    )
    assert response.status_code == 403


async def _answer(twilio_app, folio: str) -> None:
    service = twilio_app.state.container.requests
    request = await service.start_progress(folio, actor="autoridad")
    await service.answer(
        folio,
        text="Se reparó la red.",
        responsible_person="Ing. Luis Soto",
        unit_code=request.unit_code,
        actor="autoridad",
    )


@pytest.mark.parametrize(
    ("reply", "solved"),
    [
        ("SÍ", True),
        ("si", True),
        ("Sí.", True),
        ("Sí, ya quedó", True),
        ("Así es", True),
        ("Claro que sí", True),
        ("NO", False),
        ("no", False),
        ("No, sigue igual", False),
        ("nel", False),
        ("Para nada", False),
    ],
)
async def test_answered_request_is_confirmed_or_reopened_by_reply(
    twilio_app, twilio_http, twilio_api, reply, solved
) -> None:
    folio = await registered(twilio_app)
    await _answer(twilio_app, folio)
    await until(lambda: any("resolvi" in m["Body"] for m in twilio_api.messages))
    question = next(m for m in twilio_api.messages if "resolvi" in m["Body"])
    assert question["To"] == CITIZEN and format_folio(folio) in question["Body"]
    text = await send(twilio_http, reply)
    request = await twilio_app.state.container.requests.get(folio)
    if solved:
        assert "Cerramos su solicitud" in text and request.status == Status.CLOSED
    else:
        assert "vuelve a atención" in text and request.status == Status.IN_PROGRESS


async def test_outbound_retries_and_records_status_callbacks(
    twilio_app, twilio_http, twilio_api
) -> None:
    sender = twilio_app.state.container.ivr.sender
    twilio_api.failures = [503, 500]
    record = await sender.send(CITIZEN, "Locatel: prueba de envío.", purpose="prueba", folio=None)
    assert record.attempts == 3 and record.sid and record.status == "queued"
    assert twilio_api.messages[-1]["Body"] == "Locatel: prueba de envío."
    twilio_api.failures = [400]
    failed = await sender.send(CITIZEN, "Locatel: otra.", purpose="prueba")
    assert failed.status == "failed" and failed.attempts == 1 and failed.sid is None
    params = {"MessageSid": record.sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
    path = "/twilio/messaging/status"
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    async with twilio_app.state.container.bus.subscribe() as events:
        response = await twilio_http.post(
            path, data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 204
        event = await asyncio.wait_for(anext(events), 2)
    assert isinstance(event, MessageStatusChanged) and event.status == "delivered"

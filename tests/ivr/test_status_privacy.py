"""The status of a folio by phone, SMS and WhatsApp: the answer and a rejection's reason are
the citizen's, heard or read only from the number that registered the request (however either
number is written); anyone else hears the status, authority, unit, responsible official and
dates, and where the answer can be heard. An answer the authority published is everyone's."""

from __future__ import annotations

import doctest

import pytest
from test_flow import make_flow, spoken
from test_sms import send
from test_text_front import send as write

import ivr.flow.status
from ivr.flow import CallerInput, CallFlow, CallInfo, Step
from models.request_service import RequestService
from models.requests import Channel, RequestCreate

ANSWER = "Se cambió la luminaria frente a la casa de Rosa Martínez. Quedó funcionando."
REASON = "El poste es de la vecina Rosa Martínez y no de la vía pública."
PRIVATE = ("Rosa", "luminaria frente", "poste es de la vecina")
WHERE = "llame desde el número con que la registró"
STRANGER = "+525587654321"


async def register(service: RequestService, phone: str | None = "55 1111 2222") -> str:
    request = await service.register(
        RequestCreate(
            catalogue_code="ALU-001",
            channel=Channel.AGENT,
            alcaldia="Tlalpan",
            citizen_name="Rosa Martínez",
            citizen_phone=phone,
        ),
        actor="agente:prueba",
    )
    return request.folio


async def answer(service: RequestService, folio: str, *, public: bool = False) -> None:
    request = await service.get(folio)
    await service.answer(
        folio,
        text=ANSWER if not public else "Se cambió la luminaria. Quedó funcionando.",
        responsible_person="Ing. Luis Soto",
        unit_code=request.unit_code or "",
        actor="authority:tlalpan",
        **({"public": True} if public else {}),
    )


async def heard(flow: CallFlow, folio: str, caller: str) -> str:
    """What a caller from ``caller`` hears after keying ``folio``."""
    state, _ = await flow.start(CallInfo(call_id=f"CA-{caller}", transport="twilio", caller=caller))
    state, _ = await flow.handle(state, CallerInput(digits="2"))
    state, turn = await flow.handle(state, CallerInput(digits=folio))
    assert state.step == Step.STATUS_READ, spoken(turn)
    return spoken(turn)


async def test_only_the_citizens_number_hears_the_answer(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    folio = await register(service)
    await answer(service, folio)
    stranger = await heard(flow, folio, STRANGER)
    assert "atendida" in stranger and "Alcaldía Tlalpan" in stranger
    assert "Ing. Luis Soto" in stranger and WHERE in stranger
    for private in PRIVATE:
        assert private not in stranger
    for caller in ("+525511112222", "+5215511112222", "5511112222"):
        citizen = await heard(flow, folio, caller)
        assert "Ing. Luis Soto" in citizen and "Rosa Martínez" in citizen, caller
        assert WHERE not in citizen


@pytest.mark.parametrize("caller", [STRANGER, "anonymous", ""])
async def test_a_rejections_reason_is_the_citizens_too(engine, service, bus, caller) -> None:
    flow = make_flow(engine, service, bus)
    folio = await register(service)
    await service.reject(folio, reason=REASON, actor="authority:tlalpan")
    stranger = await heard(flow, folio, caller)
    assert "improcedente" in stranger and "poste" not in stranger
    assert "El motivo es para quien registró la solicitud" in stranger
    assert "poste es de la vecina" in await heard(flow, folio, "+525511112222")


async def test_a_request_without_a_phone_reads_its_answer_to_nobody(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    folio = await register(service, phone=None)
    await answer(service, folio)
    for caller in ("anonymous", STRANGER):
        assert "Rosa" not in await heard(flow, folio, caller)


async def test_a_published_answer_is_read_to_everyone(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    folio = await register(service)
    await answer(service, folio, public=True)
    stranger = await heard(flow, folio, STRANGER)
    assert "Se cambió la luminaria." in stranger and WHERE not in stranger


async def test_an_sms_status_carries_the_answer_only_to_the_citizen(twilio_app, twilio_http):
    service = twilio_app.state.container.requests
    folio = await register(service)
    await answer(service, folio)
    stranger = await send(twilio_http, folio, sender=STRANGER)
    assert stranger.startswith("Locatel, folio") and "atendida" in stranger
    assert "Rosa" not in stranger and "quien registro el folio" in stranger
    citizen = await send(twilio_http, folio, sender="+525511112222")
    assert "Rosa Martinez" in citizen and "quien registro" not in citizen
    whatsapp = await send(twilio_http, folio, sender="whatsapp:+5215511112222")
    assert "Rosa Martínez" in whatsapp


async def test_an_sms_status_carries_a_rejections_reason_only_to_the_citizen(
    twilio_app, twilio_http
):
    service = twilio_app.state.container.requests
    folio = await register(service)
    await service.reject(folio, reason=REASON, actor="authority:tlalpan")
    assert "poste" not in await send(twilio_http, folio, sender=STRANGER)
    assert "poste es de la vecina" in await send(twilio_http, folio, sender="+525511112222")


async def test_a_text_conversation_follows_the_same_rule(twilio_app, twilio_http) -> None:
    service = twilio_app.state.container.requests
    folio = await register(service)
    await answer(service, folio)
    for sender, hears in ((STRANGER, False), ("whatsapp:+5215511112222", True)):
        await write(twilio_http, "quiero consultar mi folio", sender=sender)
        reply = await write(twilio_http, folio, sender=sender)
        assert "atendida" in reply and ("Rosa Martínez" in reply) == hears, reply


def test_the_doctests() -> None:
    assert doctest.testmod(ivr.flow.status).failed == 0

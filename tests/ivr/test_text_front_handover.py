"""A hand-over by message, with call-backs configured: the citizen's number is called back
with what they wrote (the call-back line), and the reply says so."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from test_text_front import CITIZEN, WHATSAPP, drained, send

from models.call_facts import call_id_of
from models.config import Settings
from models.db import session_scope
from models.ivr_sessions import CallbackRequest


@pytest.fixture
def voice_settings(voice_settings: Settings) -> Settings:
    """Call-backs placed from the City's number."""
    ivr = voice_settings.ivr.model_copy(update={"callback_from": "+525556581111"})
    return voice_settings.model_copy(update={"ivr": ivr})


def callbacks(app) -> list[CallbackRequest]:
    with session_scope(app.state.container.engine) as session:
        return list(session.exec(select(CallbackRequest)))


@pytest.mark.parametrize(("sender", "phone"), [(CITIZEN, CITIZEN), (WHATSAPP, "+525511112222")])
async def test_a_hand_over_books_a_call_back(twilio_app, twilio_http, sender, phone) -> None:
    async with twilio_app.state.container.bus.subscribe() as events:
        await send(twilio_http, "hay un bache enorme en mi calle", sender)
        reply = await send(twilio_http, "mejor quiero hablar con un asesor", sender)
        published = await drained(events)
    assert not [e for e in published if call_id_of(e)]  # a place in line, but no call record
    assert "Le llamaremos a este número" in reply or "Le llamaremos a este numero" in reply
    (booked,) = callbacks(twilio_app)
    assert booked.phone == phone and booked.queue == "locatel" and booked.status == "waiting"
    context = json.loads(booked.context)
    assert context["transcript"][0] == "hay un bache enorme en mi calle"
    assert context["categories"] and context["caller"] == phone
    assert (await send(twilio_http, "hola", sender)).startswith("Bienvenido")  # it ended

"""The issue's call-flow items on the text front (WhatsApp keeps every accent): the postal code
typed and read back, a place that contradicts itself asked, the usual yes and no, routing by
the road named, and the authority written by name."""

from __future__ import annotations

import pytest
from sqlmodel import select
from test_sms import registered
from test_text_front import WHATSAPP, answer_for, register, send

from models.db import session_scope
from models.requests import Channel, RoadClass, ServiceRequest


def whatsapp_request(app) -> ServiceRequest:
    with session_scope(app.state.container.engine) as session:
        query = select(ServiceRequest).where(ServiceRequest.channel == Channel.WHATSAPP)
        (request,) = session.exec(query).all()
        return request


async def at_alcaldia(http) -> str:  # noqa: ANN001
    reply = await send(http, "hay un bache enorme en la calle", WHATSAPP)
    while "¿En qué alcaldía" not in reply:
        reply = await send(
            http, answer_for(reply, tema="bache", alcaldia="", reference=""), WHATSAPP
        )
    return reply


async def test_a_postal_code_typed_is_read_back_and_agreed_to(twilio_app, twilio_http) -> None:
    await at_alcaldia(twilio_http)
    reply = await send(twilio_http, "09960", WHATSAPP)
    assert "Alcaldía Iztapalapa, ¿es correcto?" in reply
    assert "referencia" in await send(twilio_http, "así es", WHATSAPP)
    await send(twilio_http, "calle Morelos esquina con Ermita frente a la escuela", WHATSAPP)
    assert whatsapp_request(twilio_app).alcaldia == "Iztapalapa"


async def test_a_place_that_contradicts_itself_is_asked(twilio_app, twilio_http) -> None:
    first = "hay una fuga de agua en la colonia Roma en Iztapalapa"
    replies = await register(
        twilio_http, WHATSAPP, first, tema="fuga de agua", alcaldia="cuauhtémoc"
    )
    asked = next(r for r in replies if "Mencionó la colonia Roma" in r)
    assert "que está en Cuauhtémoc, y la alcaldía Iztapalapa." in asked
    assert any("Colonia Roma, alcaldía Cuauhtémoc, ¿es correcto?" in r for r in replies)
    request = whatsapp_request(twilio_app)
    assert (request.alcaldia, request.colonia) == ("Cuauhtémoc", "Roma")


async def test_a_pothole_on_a_primary_road_goes_to_its_authority(twilio_app, twilio_http) -> None:
    await register(
        twilio_http,
        WHATSAPP,
        "hay un bache enorme en la calle",
        alcaldia="Gustavo A. Madero",
        reference="Avenida Montevideo esquina con Insurgentes Norte, colonia Lindavista",
    )
    request = whatsapp_request(twilio_app)
    assert (request.authority_code, request.road_class) == ("SOBSE", RoadClass.PRIMARY)
    assert (request.street, request.colonia) == ("Avenida Montevideo", "Lindavista")


@pytest.mark.parametrize("said", ["no", "nel", "no, ninguna"])
async def test_no_among_the_choices_describes_again(twilio_http, said: str) -> None:
    await send(twilio_http, "la lámpara de mi calle no prende", WHATSAPP)
    assert "Si no es ninguna, responda 9" in await send(twilio_http, "nel", WHATSAPP)
    reply = await send(twilio_http, said, WHATSAPP)
    assert "Describa el problema" in reply and "no le entendí" not in reply


async def test_the_status_names_the_authority(twilio_app, twilio_http) -> None:
    folio = await registered(twilio_app, "+525587654321")
    await send(twilio_http, "quiero consultar mi folio", WHATSAPP)
    reply = await send(twilio_http, folio, WHATSAPP)
    assert "está turnada. La atiende " in reply and "Sistema de Aguas" in reply, reply

"""Routing by road on the Twilio front: what the caller says of the place sets the road class,
the street and the colonia of the request registered by signed webhooks."""

from __future__ import annotations

import pytest
from test_twilio_voice import accept, call, registered  # noqa: F401  (the call fixture)

from ivr.twilio.simulator import SimulatedCall, TwimlPage
from models.requests import RoadClass

PLACE_READ_BACK = "correcto"  # "Alcaldía Gustavo A. Madero, ¿es correcto?"


async def report(
    phone: SimulatedCall, description: str, alcaldia: str, reference: str
) -> TwimlPage:
    """Report a pothole by speech, agreeing to every read-back, up to the folio."""
    await phone.start()
    await phone.press("1")
    page = await accept(phone, await phone.say(description), "Bache")
    for _ in range(3):
        if "referencia" in page.text:
            return await phone.say(reference)
        page = await (
            phone.press("1") if PLACE_READ_BACK in page.text.lower() else phone.say(alcaldia)
        )
    raise AssertionError(page.text)


@pytest.mark.parametrize(
    ("reference", "authority", "road_class", "street", "colonia"),
    [
        (
            "Avenida Montevideo esquina con Insurgentes Norte, colonia Lindavista",
            "SOBSE",
            RoadClass.PRIMARY,
            "Avenida Montevideo",
            "Lindavista",
        ),
        (
            "en el Eje Cinco Norte frente al mercado",
            "SOBSE",
            RoadClass.PRIMARY,
            "Eje 5 Norte",
            None,
        ),
        (
            "calle Sierra Vertientes frente a la escuela, colonia Lindavista",
            "ALC-GAM",
            RoadClass.SECONDARY,
            "Calle Sierra Vertientes",
            "Lindavista",
        ),
    ],
)
async def test_pothole_by_phone_routed_by_the_road_named(  # noqa: PLR0913
    twilio_app,  # noqa: ANN001
    call: SimulatedCall,  # noqa: F811
    reference: str,
    authority: str,
    road_class: RoadClass,
    street: str,
    colonia: str | None,
) -> None:
    page = await report(call, "hay un bache enorme en la calle", "Gustavo A. Madero", reference)
    assert "quedó registrada" in page.text, page.text
    (request,) = registered(twilio_app, call.call_sid)
    assert request.alcaldia == "Gustavo A. Madero" and request.reference == reference
    assert (request.authority_code, request.road_class) == (authority, road_class)
    assert (request.street, request.colonia) == (street, colonia)

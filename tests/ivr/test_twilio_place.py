"""The place of a request over signed Twilio webhooks: the alcaldía by voice, postal code or
number (the list only on request), read back and confirmed, a contradiction asked; the yes/no
lexicon, "no" among the choices, and one message for a folio of the wrong length."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select
from test_twilio_support import PUBLIC, TOKEN
from test_twilio_voice import accept

from ivr.twilio.simulator import SimulatedCall, TwimlPage
from models.db import session_scope
from models.requests import ServiceRequest

ASKED = "¿En qué alcaldía es?"
LIST = "Xochimilco, dieciséis"


@pytest.fixture
def call(twilio_http: httpx.AsyncClient) -> SimulatedCall:
    """A new simulated call."""
    return SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)


async def at_alcaldia(call: SimulatedCall) -> TwimlPage:
    """A call that described a broken street lamp and took the category by voice."""
    await call.start()
    page = await call.say("la lámpara de mi calle no prende")
    assert "Entendí que su solicitud es sobre: Luminaria apagada" in page.text, page.text
    page = await call.say("así es")  # the shared lexicon's yes
    assert ASKED in page.text and LIST not in page.text, page.text
    return page


async def register(twilio_app, call: SimulatedCall, page: TwimlPage) -> ServiceRequest:  # noqa: ANN001
    """Say the reference and return the request registered by this call."""
    assert "Diga la calle y una referencia" in page.text, page.text
    page = await call.say("calle Morelos frente al mercado")
    assert "quedó registrada" in page.text
    with session_scope(twilio_app.state.container.engine) as session:
        query = select(ServiceRequest).where(ServiceRequest.call_id == call.call_sid)
        (request,) = session.exec(query).all()
        return request


async def test_postal_code_read_back_corrected_by_voice_then_confirmed(twilio_app, call) -> None:
    page = await at_alcaldia(call)
    page = await call.press("09960")  # on the Iztapalapa–Tláhuac border: read back
    assert "Alcaldía Iztapalapa, ¿es correcto?" in page.text
    page = await call.say("no, para nada")
    assert ASKED in page.text
    page = await call.say("en tláhuac")
    assert "Alcaldía Tláhuac, ¿es correcto?" in page.text
    page = await call.say("correcto")
    assert (await register(twilio_app, call, page)).alcaldia == "Tláhuac"


@pytest.mark.parametrize(
    ("asked", "keyed", "alcaldia"),
    [
        (None, "04", "Coyoacán"),  # the alcaldía's two-digit number
        ("*", "15", "Venustiano Carranza"),  # the list on request, by key
        ("la lista por favor", "7", "Gustavo A. Madero"),  # by voice
        ("asterisco", "16", "Xochimilco"),  # the key said instead of pressed
    ],
)
async def test_number_keyed_and_the_list_only_on_request(
    twilio_app, call, asked: str | None, keyed: str, alcaldia: str
) -> None:
    page = await at_alcaldia(call)
    if asked:
        page = await (call.press(asked) if asked == "*" else call.say(asked))
        assert "Álvaro Obregón, cero uno." in page.text and LIST in page.text
    page = await call.press(keyed)
    assert f"Alcaldía {alcaldia}, ¿es correcto?" in page.text
    page = await call.press("1")
    assert (await register(twilio_app, call, page)).alcaldia == alcaldia


async def test_an_alcaldia_said_is_read_back_before_the_reference(twilio_app, call) -> None:
    page = await at_alcaldia(call)
    page = await call.say("ista palapa")
    assert "Alcaldía Iztapalapa, ¿es correcto?" in page.text
    page = await call.say("no, es en coyoacán")  # another alcaldía said: read back again
    assert "Alcaldía Coyoacán, ¿es correcto?" in page.text
    page = await call.say("eso es")
    assert (await register(twilio_app, call, page)).alcaldia == "Coyoacán"


async def test_the_alcaldia_in_the_description_is_said_back(twilio_app, call) -> None:
    await call.start()
    page = await call.say("la lámpara de mi calle no prende en la gam")
    page = await call.press("1")
    assert "Alcaldía Gustavo A. Madero, ¿es correcto?" in page.text and ASKED not in page.text
    page = await call.say("sí señor")
    assert (await register(twilio_app, call, page)).alcaldia == "Gustavo A. Madero"


async def test_a_place_that_contradicts_itself_is_asked(twilio_app, call) -> None:
    await call.start()
    page = await call.say("hay una fuga de agua en la colonia Roma en Iztapalapa")
    page = await accept(call, page, "Fuga de agua potable")
    assert (
        "Mencionó la colonia Roma, que está en Cuauhtémoc, y la alcaldía Iztapalapa." in page.text
    )
    assert ASKED in page.text
    page = await call.say("cuauhtémoc")
    assert "Colonia Roma, alcaldía Cuauhtémoc, ¿es correcto?" in page.text
    page = await call.say("claro que sí")
    request = await register(twilio_app, call, page)
    assert (request.alcaldia, request.colonia) == ("Cuauhtémoc", "Roma")


@pytest.mark.parametrize("said", ["no", "nel", "no, ninguna"])
async def test_no_among_the_choices_describes_again(call, said: str) -> None:
    await call.start()
    page = await call.say("la lámpara de mi calle no prende")
    page = await call.say("nel")  # not this category: the others are offered
    assert "Si no es ninguna, marque 9" in page.text, page.text
    page = await call.say(said)
    assert "Describa el problema" in page.text and "no le entendí" not in page.text


async def test_a_folio_of_the_wrong_length_gets_one_message(call) -> None:
    await call.start()
    await call.press("2")
    page = await call.press("12345")
    assert page.spoken == [
        "El folio tiene diez dígitos. Márquelo de nuevo, seguido de la tecla de gato."
    ]
    assert page.gather["numDigits"] == "12"

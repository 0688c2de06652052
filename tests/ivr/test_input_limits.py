"""One set of input limits at every edge: over-long speech is not heard (the caller is asked
again), control characters never reach the database, and digits other than ASCII's (``²``,
``٣``) are read as the digits they are or dropped, never a traceback."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr
from test_twilio_support import PUBLIC, TOKEN
from test_twilio_voice import call  # noqa: F401  (the call fixture)

from ivr.classifier import MAX_TEXT_LENGTH
from ivr.flow import input_limits
from ivr.twilio.simulator import SimulatedCall
from models.config import Settings, TwilioSettings
from models.db import make_engine, upgrade
from suac.web import create_app

FAILED = "tuvimos un problema"
NOT_HEARD = "No recibimos su respuesta"
DESCRIBE = "Describa"
SENTENCE = "la coladera de la esquina está tapada y se mete el agua a las casas cuando llueve"


def long_speech(chars: int) -> str:
    """A plausible utterance of exactly ``chars`` characters (no loop: each clause differs)."""
    clauses = [f"{SENTENCE} desde hace {n} días" for n in range(200)]
    return ", ".join(clauses)[:chars].rstrip()


def no_error(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bad, bad[0].getMessage()


@pytest.mark.parametrize("chars", [MAX_TEXT_LENGTH + 1, 1500, 2000])
async def test_an_over_long_description_is_asked_again(
    twilio_app,
    call: SimulatedCall,  # noqa: F811
    caplog,
    chars: int,
) -> None:
    await call.start()
    assert DESCRIBE in (await call.press("1")).text
    with caplog.at_level(logging.INFO):
        page = await call.say(long_speech(chars))
    assert page.status_code == 200 and FAILED not in page.text
    assert NOT_HEARD in page.text and DESCRIBE in page.text
    no_error(caplog)


async def test_an_over_long_answer_at_every_step_is_asked_again(twilio_app, call, caplog) -> None:  # noqa: F811
    speech = long_speech(1200)
    with caplog.at_level(logging.INFO):
        await call.start()
        menu = await call.say(speech)
        assert NOT_HEARD in menu.text and FAILED not in menu.text
        await call.press("2")
        page = await call.say(speech)  # at the folio's question
        assert NOT_HEARD in page.text and FAILED not in page.text
    no_error(caplog)


async def test_a_description_at_the_limit_is_heard(twilio_app, call) -> None:  # noqa: F811
    await call.start()
    await call.press("1")
    page = await call.say(long_speech(MAX_TEXT_LENGTH))
    assert NOT_HEARD not in page.text and FAILED not in page.text


async def described(call: SimulatedCall, text: str, not_this_key: str):  # noqa: F811, ANN201
    """The page after describing ``text`` (a proposed category answered with the key)."""
    await call.start()
    await call.press("1")
    page = await call.say(text)
    if "Entendí que su solicitud es sobre" in page.text:
        page = await call.press(not_this_key)
    return page


@pytest.mark.parametrize("keys", ["¹", "²", "٣", "¹²", "⁰⁹"])
async def test_unusual_digits_at_the_alcaldia_question(twilio_app, call, caplog, keys) -> None:  # noqa: F811
    page = await described(call, "no tengo agua en mi casa desde ayer", "1")
    assert "¿En qué alcaldía" in page.text, page.text
    page = await call.press(keys)
    assert FAILED not in page.text and "¿es correcto?" in page.text  # read as its digits
    no_error(caplog)


@pytest.mark.parametrize("keys", ["¹", "²", "٢"])
async def test_unusual_digits_when_choosing_a_category(twilio_app, call, caplog, keys) -> None:  # noqa: F811
    page = await described(call, "tengo un problema con la basura y el agua", "2")
    assert "marque 1" in page.text and "marque 2" in page.text, page.text
    page = await call.press(keys)
    assert FAILED not in page.text and "Si su solicitud es sobre" not in page.text  # chosen
    no_error(caplog)


async def test_a_superscript_said_at_the_menu(twilio_app, call, caplog) -> None:  # noqa: F811
    await call.start()
    page = await call.say("el ²")
    assert FAILED not in page.text and "folio" in page.text.lower()  # read as "2"
    no_error(caplog)


def test_edge_cleaning() -> None:
    assert input_limits.speech("hay un\x00 bache\u200b enorme\x07") == "hay un bache enorme"
    assert input_limits.speech("  \x00 ") is None and input_limits.speech(None) is None
    assert input_limits.speech("calle ² número ٣") == "calle 2 número 3"
    assert input_limits.speech("x" * (MAX_TEXT_LENGTH + 1)) is None
    assert input_limits.keys("²٣#a*\x00") == "23#*" and input_limits.keys("hangup") is None
    assert input_limits.message("hola\x00\r\nfolio ²6") == "hola\nfolio 26"


async def _signed_app_on(settings: Settings):  # noqa: ANN202
    settings = settings.model_copy(
        update={"public_base_url": PUBLIC, "twilio": TwilioSettings(auth_token=SecretStr(TOKEN))}
    )
    return create_app(settings)


@pytest.mark.postgres
async def test_control_characters_never_reach_postgresql(pg_settings: Settings, caplog) -> None:
    upgrade(make_engine(pg_settings.database_url))
    application = await _signed_app_on(pg_settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            phone = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
            await phone.start()
            await phone.press("1")
            page = await phone.say("no tengo\x00 agua en mi casa\x1b desde ayer\x00")
            assert FAILED not in page.text and NOT_HEARD not in page.text
            sms = await phone.post(
                f"{PUBLIC}/twilio/messaging",
                {"MessageSid": "SM" + "0" * 32, "From": "+525512345678", "Body": "hola\x00"},
            )
            assert sms.status_code == 200 and FAILED not in sms.text
    no_error(caplog)

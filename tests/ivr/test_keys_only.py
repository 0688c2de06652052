"""Keys alone register a request (issue 14, item 10): the key menu of the most requested
categories, the place by keys, the reference skipped, on the flow itself, over signed Twilio
webhooks and on the text front; the menu's data against the City's 2024 volumes and the
catalogue. (The Asterisk front: ``tests/asterisk/test_fastagi_keys_only.py``.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_flow import CALL, make_flow, spoken
from test_text_front import send
from test_twilio_support import PUBLIC, TOKEN

from ivr.flow import CallerInput, CallFlow, CallInfo, CallState, Gather, Step, Transfer, Turn
from ivr.flow.completion import NO_REFERENCE
from ivr.flow.key_menu import options, other_key
from ivr.twilio.simulator import SimulatedCall
from models.catalogue import CatalogueEntry
from models.db import session_scope
from models.reference_audio import SPOKEN_REFERENCE, SpokenReference
from models.requests import Channel, ServiceRequest

SHARED = Path(__file__).resolve().parents[3] / "shared"
TEMAS_2024 = SHARED / "data" / "cdmx" / "0311_temas_2024.csv"  # the menu's source
WAV = b"RIFF-del-ciudadano"
UNHEARD = CallInfo(call_id="AGI-KEYS", transport="asterisk", caller="+525512345678", speech=False)


def request_of(engine: Engine, call_id: str) -> ServiceRequest:
    with Session(engine) as session:
        query = select(ServiceRequest).where(ServiceRequest.call_id == call_id)
        (request,) = session.exec(query).all()
        return request


async def press(flow: CallFlow, state: CallState, *keys: str) -> tuple[CallState, Turn]:
    """Press each of ``keys`` in turn; the last answer."""
    turn = Turn()
    for key in keys:
        state, turn = await flow.handle(state, CallerInput(digits=key))
    return state, turn


def test_the_menu_follows_the_2024_volumes_and_the_catalogue(engine: Engine) -> None:
    with TEMAS_2024.open(encoding="utf-8") as rows:
        volumes = {row["tema"]: int(row["total_incidencias"]) for row in csv.DictReader(rows)}
    menu = options()
    assert [o.volume_2024 for o in menu] == [volumes[o.tema] for o in menu]  # as published
    assert [o.volume_2024 for o in menu] == sorted((o.volume_2024 for o in menu), reverse=True)
    assert [o.key for o in menu] == [str(n) for n in range(1, len(menu) + 1)]
    assert other_key() not in {o.key for o in menu} | {"0", "*", "#"}
    # only "OTRO" and the one tema with no single entry outrank an option left out
    left_out = {t for t, v in volumes.items() if v > menu[-1].volume_2024} - {o.tema for o in menu}
    assert left_out == {"OTRO", "MANTENIMIENTO VÍA PÚBLICA"}
    with Session(engine) as session:
        for option in menu:
            entry = session.get(CatalogueEntry, option.code)
            assert entry is not None and entry.tema == option.tema, option
            assert entry.phone_completable, option


@pytest.mark.parametrize(("key", "code"), [(o.key, o.code) for o in options()])
async def test_a_call_that_cannot_be_heard_registers_by_keys(
    engine, service, bus, key: str, code: str
) -> None:
    flow = make_flow(engine, service, bus)
    state, turn = await flow.start(UNHEARD)
    assert "Díganos" not in spoken(turn) and "Marque 1 para reportar" in spoken(turn)
    state, turn = await press(flow, state, "1")
    assert state.step == Step.CATEGORY_KEYS  # no description asked of a caller not heard
    assert isinstance(turn.then, Gather) and not turn.then.speech
    assert spoken(turn).startswith("Para falta de agua, marque 1; luminaria apagada, 2;")
    state, turn = await press(flow, state, key)
    assert "Marque el código postal" in spoken(turn) and "Dígala" not in spoken(turn)
    state, turn = await press(flow, state, "04")
    assert "Alcaldía Coyoacán, ¿es correcto? Marque 1 si lo es" in spoken(turn)
    state, turn = await press(flow, state, "1")
    assert state.step == Step.REFERENCE and isinstance(turn.then, Gather)
    assert turn.then.keep_audio and not turn.then.speech  # recorded for a person
    state, turn = await flow.handle(state, CallerInput(audio=SpokenReference(5.0, wav=WAV)))
    assert state.step == Step.REGISTERED and state.folio
    assert "quedó registrada" in spoken(turn)
    request = request_of(engine, UNHEARD.call_id)
    assert (request.catalogue_code, request.alcaldia) == (code, "Coyoacán")
    assert (request.reference, request.channel) == (SPOKEN_REFERENCE, Channel.ASTERISK_CALL)


async def test_a_key_at_the_describe_step_offers_the_menu(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, turn = await press(flow, state, "1")
    assert state.step == Step.DESCRIBE and "o marque 1 para elegirlo de una lista" in spoken(turn)
    state, turn = await press(flow, state, "3")  # any key: the list
    assert state.step == Step.CATEGORY_KEYS and isinstance(turn.then, Gather)
    assert turn.then.speech  # this caller can still be heard
    state, turn = await press(flow, state, "5", "09960", "1")
    assert state.step == Step.REFERENCE
    assert isinstance(turn.then, Gather) and turn.then.finish_on_key == ""  # "#" is an answer
    assert "o marque numeral para seguir sin ella" in spoken(turn)
    state, turn = await press(flow, state, "#")
    assert state.step == Step.REGISTERED
    request = request_of(engine, CALL.call_id)
    assert (request.catalogue_code, request.alcaldia) == ("VIA-001", "Iztapalapa")
    assert request.reference == NO_REFERENCE


async def test_speech_that_fails_three_times_offers_the_menu(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, _ = await press(flow, state, "1")
    for _ in range(2):
        state, turn = await flow.handle(state, CallerInput(timed_out=True))
        assert state.step == Step.DESCRIBE
    state, turn = await flow.handle(state, CallerInput(timed_out=True))
    assert state.step == Step.CATEGORY_KEYS and not isinstance(turn.then, Transfer)
    assert spoken(turn).startswith("No recibimos su respuesta. Para falta de agua, marque 1")
    state, turn = await press(flow, state, "2", "04", "1")
    assert state.step == Step.REFERENCE  # heard callers still give the reference
    state, turn = await flow.handle(state, CallerInput(speech="calle Morelos frente al mercado"))
    request = request_of(engine, CALL.call_id)
    assert request.catalogue_code == "ALU-001"
    assert request.reference == "calle Morelos frente al mercado"


async def test_other_goes_to_an_agent_with_the_path(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(UNHEARD)
    state, turn = await press(flow, state, "1", other_key())
    assert isinstance(turn.then, Transfer)
    assert turn.then.context.reason == "otro problema en el menú por teclas"
    assert turn.then.context.path[-1] == Step.CATEGORY_KEYS.value


async def test_a_wrong_key_is_asked_again_then_an_agent(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(UNHEARD)
    state, turn = await press(flow, state, "1", "7")
    assert state.step == Step.CATEGORY_KEYS and "Esa opción no es válida" in spoken(turn)
    state, turn = await press(flow, state, "8", "6")
    assert isinstance(turn.then, Transfer)


async def test_a_whole_registration_by_typed_keys(twilio_app, twilio_http) -> None:
    sender = "whatsapp:+5215533334444"
    assert "responda 1 para elegirlo de una lista" in await send(twilio_http, "1", sender)
    listed = await send(twilio_http, "1", sender)
    assert listed.startswith("Responda con el número: 1 falta de agua; 2 luminaria apagada;")
    assert "¿En qué alcaldía" in await send(twilio_http, "4", sender)
    assert "Alcaldía Coyoacán, ¿es correcto?" in await send(twilio_http, "04", sender)
    asked = await send(twilio_http, "1", sender)
    assert "responda SIN REFERENCIA" in asked
    assert "quedó registrada" in await send(twilio_http, "sin referencia", sender)
    with session_scope(twilio_app.state.container.engine) as session:
        query = select(ServiceRequest).where(ServiceRequest.channel == Channel.WHATSAPP)
        (request,) = session.exec(query).all()
        assert (request.catalogue_code, request.alcaldia) == ("AGU-008", "Coyoacán")
        assert request.reference == NO_REFERENCE


async def test_a_twilio_caller_who_only_presses_keys(twilio_app, twilio_http) -> None:
    call = SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)
    await call.start()
    page = await call.press("1")
    assert "o marque 1 para elegirlo de una lista" in page.text
    page = await call.press("1")
    assert page.text.startswith("Para falta de agua, marque 1; luminaria apagada, 2;")
    assert "dtmf" in page.gather["input"]
    assert "¿En qué alcaldía es?" in (await call.press("3")).text
    assert "Alcaldía Xochimilco, ¿es correcto?" in (await call.press("16")).text
    page = await call.press("1")
    assert "o marque numeral para seguir sin ella" in page.text
    assert page.gather["finishOnKey"] == ""  # Twilio sends "#" instead of ending on it
    assert "quedó registrada" in (await call.press("#")).text
    request = request_of(twilio_app.state.container.engine, call.call_sid)
    assert (request.catalogue_code, request.alcaldia) == ("ARB-001", "Xochimilco")
    assert (request.reference, request.channel) == (NO_REFERENCE, Channel.TWILIO_CALL)

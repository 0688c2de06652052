"""Completing a phone registration: register once, read the folio back (a job sends it by
message)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ivr.classifier.text import fold
from ivr.flow.closing import closing_answer, closing_gather
from ivr.flow.common import Outcome, Retry, move, say
from ivr.flow.place_reading import read_place
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, DateSpoken, Digits, Gather, Say, Turn
from models.reference_audio import SPOKEN_REFERENCE, SpokenReference
from models.requests import Channel, RequestCreate

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

MIN_REFERENCE_WORDS = 2
SKIP_REFERENCE_KEY = "#"
SKIP_REFERENCE_WORDS = "sin referencia"  # what a message says instead of the key
NO_REFERENCE = "Sin referencia (registrada por teclado)"
REPEAT_WORDS = frozenset({"repetir", "repita", "repitalo", "repite", "otra", "nuevo"})
HINTS = ("repetir", "menú", "uno", "dos", "cero", "asesor")
CHANNELS = {
    "twilio": Channel.TWILIO_CALL,
    "asterisk": Channel.ASTERISK_CALL,
    "sms": Channel.SMS,
    "whatsapp": Channel.WHATSAPP,
}


async def answer_reference(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Register the request with everything gathered: the reference said, else its recording
    for a person to transcribe, else without one (#, or "sin referencia")."""
    said = (caller.speech or "").strip()
    if fold(said) == SKIP_REFERENCE_WORDS:
        return await complete(flow, state.with_(reference=NO_REFERENCE))
    if len(said.split()) >= MIN_REFERENCE_WORDS:  # "ahí" tells the crew nothing
        return await complete(flow, state.with_(reference=said[:500]))
    if caller.audio is not None and caller.audio.worth_keeping:
        return await complete(flow, state.with_(reference=SPOKEN_REFERENCE), spoken=caller.audio)
    if (caller.digits or "").strip() == SKIP_REFERENCE_KEY:  # "#" with nothing recorded
        return await complete(flow, state.with_(reference=NO_REFERENCE))
    return Retry("no-entendi" if said else "opcion-invalida")


async def complete(
    flow: CallFlow, state: CallState, *, spoken: SpokenReference | None = None
) -> Outcome:
    """Register once (a folio already issued in this call is never issued again); ``spoken``
    is the reference's recording when no one could transcribe it."""
    if state.folio is None:
        assert state.catalogue_code is not None
        place = await read_place(flow.directory, state)
        request = await flow.requests.register(
            RequestCreate(
                catalogue_code=state.catalogue_code,
                channel=CHANNELS[state.transport],
                alcaldia=state.alcaldia,
                colonia=place.colonia,
                street=place.street,
                road_class=place.road_class,
                reference=state.reference,
                description=state.description[:4000],
                citizen_phone=state.caller[:32] or None,
                call_id=state.call_id,
            ),
            actor=f"ivr:{state.transport}",
            spoken_reference=spoken,
        )
        due = (
            request.due_at.astimezone(flow.requests.calendar.zone).date()
            if request.due_at
            else None
        )
        state = state.with_(folio=request.folio, due_date=due.isoformat() if due else None)
        # the folio message is a job enqueued with the registration itself
        sent = flow.messages is not None and flow.messages.can_receive(state.caller)
        return await move(flow, state, Step.REGISTERED, *folio_readback(flow, state, sms=sent))
    return await move(flow, state, Step.REGISTERED, *folio_readback(flow, state))


def folio_readback(flow: CallFlow, state: CallState, *, sms: bool = False) -> tuple[Say, ...]:
    """Folio digit by digit, the due date, and whether a message is on its way."""
    assert state.folio is not None
    parts = [say(flow.prompts.prompt("folio-registrado"), Digits(state.folio))]
    if state.due_date:
        due = date.fromisoformat(state.due_date)
        parts.append(say(flow.prompts.prompt("plazo-respuesta"), DateSpoken(due)))
    if sms:
        parts.append(say(flow.prompts.prompt("sms-enviado")))
    return tuple(parts)


async def ask_registered(flow: CallFlow, state: CallState) -> Gather:
    """Repeat the folio, back to the menu, or hang up."""
    return closing_gather(flow, "registro-siguiente", HINTS)


async def answer_registered(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """1 (or "repítalo") repeats the folio; the rest as at every closing menu."""

    async def repeat() -> Outcome:
        return state, Turn(actions=folio_readback(flow, state), then=await flow.ask(state))

    return await closing_answer(flow, state, caller, first_words=REPEAT_WORDS, first=repeat)


ASKERS = {Step.REGISTERED: ask_registered}
ANSWERERS = {Step.REGISTERED: answer_registered}

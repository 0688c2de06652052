"""Registering a request by phone: describe, confirm or choose, alcaldía, reference, folio."""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING

from ivr.flow.common import Outcome, Retry, ToAgent, move, say
from ivr.flow.ports import ClassificationLike
from ivr.flow.state import CallState, Candidate, Step
from ivr.flow.steps import CallerInput, DateSpoken, Digits, Gather, Turn
from ivr.flow.understanding import fold, is_no, is_yes, match_alcaldia
from ivr.prompts.spoken import spoken_number
from models.authorities import ALCALDIAS
from models.requests import Channel, RequestCreate

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

log = logging.getLogger(__name__)

MAX_CHOICES = 3
REDESCRIBE_KEY = "9"
MIN_WORDS = 2
CHANNELS = {"twilio": Channel.TWILIO_CALL, "asterisk": Channel.ASTERISK_CALL}


async def ask_describe(flow: CallFlow, state: CallState) -> Gather:
    """Describe the problem in a few words."""
    return Gather(
        say=say(flow.prompts.prompt("registro-describa")),
        speech=True,
        timeout_seconds=8,
        speech_hints=await flow.directory.speech_hints(),
    )


async def _classify(flow: CallFlow, text: str) -> ClassificationLike:
    result = flow.classifier.classify(text)
    return await result if inspect.isawaitable(result) else result


def _place(found: ClassificationLike, name: str) -> str | None:
    """The classification's alcaldía or colonia (on it directly, or on its ``place``)."""
    value = getattr(found, name, None) or getattr(getattr(found, "place", None), name, None)
    return value if isinstance(value, str) else None


async def describe(flow: CallFlow, state: CallState, text: str) -> Outcome:
    """Classify a description and confirm, offer choices, or hand over."""
    if len(fold(text).split()) < MIN_WORDS:
        return Retry("no-entendi")
    found = await _classify(flow, text)
    candidates = [
        Candidate(code=c.code, name=c.name, tema=c.tema, confidence=round(c.confidence, 3))
        for c in list(found.candidates)[:MAX_CHOICES]
    ]
    description = f"{state.description} {text}".strip() if state.description else text
    state = state.with_(
        candidates=candidates,
        description=description,
        alcaldia=_place(found, "alcaldia") or state.alcaldia,
        colonia=_place(found, "colonia") or state.colonia,
    )
    if not candidates:
        return Retry("no-entendi")
    if found.decision == "confirm":
        return await move(flow, state, Step.CONFIRM_CATEGORY)
    if found.decision == "choose" and len(candidates) > 1:
        return await move(flow, state, Step.CHOOSE_CATEGORY)
    return ToAgent(reason="la categoría no es clara")


async def answer_describe(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Only speech describes a problem."""
    if not caller.speech:
        return Retry("opcion-invalida")
    return await describe(flow, state, caller.speech)


async def ask_confirm(flow: CallFlow, state: CallState) -> Gather:
    """Is it this category?"""
    prompt = flow.prompts.prompt("categoria-confirmar", nombre=state.candidates[0].name)
    return Gather(say=say(prompt), speech=True, speech_hints=("sí", "no"))


async def answer_confirm(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Yes takes the category; no offers the others or a new description."""
    digits = (caller.digits or "").strip()
    if digits == "1" or is_yes(caller.speech):
        return await choose(flow, state, state.candidates[0])
    if digits == "2" or is_no(caller.speech):
        if len(state.candidates) > 1:
            rest = state.with_(candidates=state.candidates[1:])
            return await move(flow, rest, Step.CHOOSE_CATEGORY)
        return await move(flow, state, Step.DESCRIBE)
    return Retry("opcion-invalida")


async def ask_choose(flow: CallFlow, state: CallState) -> Gather:
    """Pick one of the best two or three categories."""
    names = [c.name for c in state.candidates]
    prompt = flow.prompts.prompt("categoria-elegir", nombres=names)
    return Gather(say=say(prompt), speech=True, speech_hints=tuple(names))


async def answer_choose(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """A key picks a category; 9 or a new sentence describes the problem again."""
    digits = (caller.digits or "").strip()
    if digits == REDESCRIBE_KEY:
        return await move(flow, state, Step.DESCRIBE)
    if digits.isdigit() and 1 <= int(digits) <= len(state.candidates):
        return await choose(flow, state, state.candidates[int(digits) - 1])
    if caller.speech:
        said = fold(caller.speech)
        for candidate in state.candidates:
            if fold(candidate.name) in said:
                return await choose(flow, state, candidate)
        return await describe(flow, state.goto(Step.DESCRIBE), caller.speech)
    return Retry("opcion-invalida")


async def choose(flow: CallFlow, state: CallState, candidate: Candidate) -> Outcome:
    """Take a category: to an agent when the phone cannot complete it, else ask for the place."""
    state = state.with_(catalogue_code=candidate.code)
    entry = await flow.directory.entry(candidate.code)
    if entry is None or not entry.phone_completable:
        before = (say(flow.prompts.prompt("no-por-telefono")),)
        return ToAgent(reason="la categoría no se completa por teléfono", before=before)
    if state.alcaldia is None:
        return await move(flow, state, Step.ALCALDIA)
    return await move(flow, state, Step.REFERENCE)


def alcaldia_keys() -> list[str]:
    """The two-digit key of each alcaldía, spoken ("cero uno" … "dieciséis")."""
    return [
        " ".join(spoken_number(int(d)) for d in f"{n:02d}") if n < 10 else spoken_number(n)
        for n in range(1, len(ALCALDIAS) + 1)
    ]


async def ask_alcaldia(flow: CallFlow, state: CallState) -> Gather:
    """Which alcaldía: say it, or key its two digits."""
    prompt = flow.prompts.prompt("alcaldia-pregunta", alcaldias=ALCALDIAS, claves=alcaldia_keys())
    return Gather(say=say(prompt), speech=True, max_digits=2, speech_hints=ALCALDIAS)


async def answer_alcaldia(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Two keys or a name."""
    digits = (caller.digits or "").strip()
    name = None
    if digits.isdigit() and 1 <= int(digits) <= len(ALCALDIAS):
        name = ALCALDIAS[int(digits) - 1]
    elif caller.speech:
        name = match_alcaldia(caller.speech)
    if name is None:
        return Retry("no-entendi" if caller.speech else "opcion-invalida")
    return await move(flow, state.with_(alcaldia=name), Step.REFERENCE)


async def ask_reference(flow: CallFlow, state: CallState) -> Gather:
    """The street and a reference of the place, spoken."""
    return Gather(
        say=say(flow.prompts.prompt("referencia-pregunta")), speech=True, timeout_seconds=8
    )


async def answer_reference(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Register the request with everything gathered."""
    if not caller.speech:
        return Retry("opcion-invalida")
    return await complete(flow, state.with_(reference=caller.speech.strip()[:500]))


async def complete(flow: CallFlow, state: CallState) -> Outcome:
    """Register once (a folio already issued in this call is never issued again)."""
    if state.folio is None:
        assert state.catalogue_code is not None
        request = await flow.requests.register(
            RequestCreate(
                catalogue_code=state.catalogue_code,
                channel=CHANNELS[state.transport],
                alcaldia=state.alcaldia,
                colonia=state.colonia,
                reference=state.reference,
                description=state.description[:4000],
                citizen_phone=state.caller[:32] or None,
                call_id=state.call_id,
            ),
            actor=f"ivr:{state.transport}",
        )
        due = (
            request.due_at.astimezone(flow.requests.calendar.zone).date()
            if request.due_at
            else None
        )
        state = state.with_(folio=request.folio, due_date=due.isoformat() if due else None)
        sent = await _notify(flow, state, request)
        return await move(flow, state, Step.REGISTERED, *folio_readback(flow, state, sms=sent))
    return await move(flow, state, Step.REGISTERED, *folio_readback(flow, state))


async def _notify(flow: CallFlow, state: CallState, request) -> bool:  # noqa: ANN001
    if flow.notifier is None or not flow.notifier.can_receive(state.caller):
        return False
    try:
        return await flow.notifier.folio_registered(phone=state.caller, request=request)
    except Exception:
        log.exception("could not send the folio of call %s by message", state.call_id)
        return False


def folio_readback(flow: CallFlow, state: CallState, *, sms: bool = False) -> tuple:
    """Folio digit by digit, the due date, and whether a message is on its way."""
    from datetime import date

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
    return Gather(say=say(flow.prompts.prompt("registro-siguiente")), timeout_seconds=5)


async def answer_registered(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """1 repeats the folio, 2 goes back to the main menu."""
    digits = (caller.digits or "").strip()
    if digits == "1":
        return state, Turn(actions=folio_readback(flow, state), then=await flow.ask(state))
    if digits == "2":
        return await move(flow, state, Step.MENU)
    return Retry("opcion-invalida")


ASKERS = {
    Step.DESCRIBE: ask_describe,
    Step.CONFIRM_CATEGORY: ask_confirm,
    Step.CHOOSE_CATEGORY: ask_choose,
    Step.ALCALDIA: ask_alcaldia,
    Step.REFERENCE: ask_reference,
    Step.REGISTERED: ask_registered,
}
ANSWERERS = {
    Step.DESCRIBE: answer_describe,
    Step.CONFIRM_CATEGORY: answer_confirm,
    Step.CHOOSE_CATEGORY: answer_choose,
    Step.ALCALDIA: answer_alcaldia,
    Step.REFERENCE: answer_reference,
    Step.REGISTERED: answer_registered,
}

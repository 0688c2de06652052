"""Hearing a folio's status: key the folio, hear status, authority, answer and deadline.

The answer and a rejection's reason are addressed to the citizen: they are read only to a
caller whose number is the phone the citizen gave (both read with ``phonenumbers``, so
``55 1111 2222`` and ``+52 1 55 1111 2222`` are one number). Anyone else hears the status,
authority, unit, responsible official and dates, and that the answer can be heard from the
number that registered the request; an answer the authority published is read to everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr.flow.closing import closing_answer, closing_gather
from ivr.flow.common import Outcome, Retry, ToAgent, move, say
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, DateSpoken, Digits, Gather, Say
from ivr.flow.understanding import digits_from_speech, is_no
from ivr.phones import WHATSAPP, to_e164
from models.business_days import DeadlineState
from models.errors import FolioNotFound, InvalidFolio
from models.folio import parse_folio
from models.lifecycle import OPEN_STATUSES, STATUS_LABELS
from models.requests import ServiceRequest, Status

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

FOLIO_KEYS = 12
ANOTHER_WORDS = frozenset({"otro", "otra", "siguiente"})
HINTS = ("otro folio", "menú", "uno", "dos", "cero", "asesor")
GIST_CHARS = 220


async def ask_folio(flow: CallFlow, state: CallState) -> Gather:
    """Key the ten digits and #."""
    return Gather(
        say=say(flow.prompts.prompt("folio-pida")),
        speech=True,
        max_digits=FOLIO_KEYS,
        finish_on_key="#",
        timeout_seconds=10,
    )


async def answer_folio(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Validate the folio before any look-up, then read its status."""
    keyed = (caller.digits or "").strip() or digits_from_speech(caller.speech)
    if not keyed and is_no(caller.speech):  # "no lo tengo": an agent can look it up
        before = (say(flow.prompts.prompt("folio-sin-folio")),)
        return ToAgent(reason="el ciudadano no tiene su folio", before=before)
    try:
        folio = parse_folio(keyed)  # a typo is explained at once and not counted as a look-up
        if flow.limiter is not None and not await flow.limiter.allow(
            flow.callable_caller(state), call_id=state.call_id
        ):
            before = (say(flow.prompts.prompt("folio-limite")),)
            return ToAgent(reason="demasiadas consultas de folio desde este número", before=before)
        request = await flow.requests.get(folio)
    except InvalidFolio as error:
        reason = "folio-verificador" if error.reason == "check-digit" else "folio-longitud"
        return Retry(reason, replaces_question=True)
    except FolioNotFound:
        return Retry("folio-no-encontrado")
    state = state.with_(queried_folio=request.folio)
    lines = await readback(flow, request, citizen=is_citizen(request, state.caller))
    return await move(flow, state, Step.STATUS_READ, *lines)


def is_citizen(request: ServiceRequest, caller: str) -> bool:
    """Whether ``caller`` (a call's or a message's number) is the phone the citizen gave.

    >>> rosa = ServiceRequest(folio="2600000018", kind="queja", catalogue_code="X",
    ...     channel="web", citizen_phone="55 1111 2222")
    >>> is_citizen(rosa, "whatsapp:+5215511112222"), is_citizen(rosa, "anonymous")
    (True, False)
    """
    if not request.citizen_phone:
        return False
    number = to_e164(caller.removeprefix(WHATSAPP))
    return number.startswith("+") and number == to_e164(request.citizen_phone)


def gist(text: str) -> str:
    """The first sentence of an answer, cut at a word boundary."""
    first = text.strip().split(". ")[0].strip()
    if len(first) <= GIST_CHARS:
        return first.rstrip(".") + "."
    return first[:GIST_CHARS].rsplit(" ", 1)[0] + "…"


async def readback(flow: CallFlow, request: ServiceRequest, *, citizen: bool) -> tuple[Say, ...]:
    """Status, authority and unit, the answer when there is one (to the ``citizen``, or
    published), and the deadline."""
    prompts = flow.prompts
    status = Status(request.status)
    lines = [
        say(
            prompts.prompt("estado-folio"),
            Digits(request.folio),
            prompts.prompt("estado-situacion", estado=STATUS_LABELS[status]),
        )
    ]
    authority = await flow.directory.authority_name(request.authority_code)
    if authority:
        unit = await flow.directory.unit_name(request.authority_code, request.unit_code)
        lines.append(say(prompts.prompt("estado-autoridad", autoridad=authority, unidad=unit)))
    person = request.responsible_person or ""
    if request.answer_text and (citizen or request.answer_public):
        summary = prompts.prompt(
            "estado-respuesta", responsable=person, resumen=gist(request.answer_text)
        )
        lines.append(say(summary))
    elif request.answer_text:
        lines.append(say(prompts.prompt("estado-respuesta-reservada", responsable=person)))
    if status == Status.REJECTED and request.rejection_reason:
        reason = prompts.prompt("estado-rechazo", motivo=gist(request.rejection_reason))
        lines.append(say(reason if citizen else prompts.prompt("estado-rechazo-reservado")))
    if status in OPEN_STATUSES and request.due_at is not None:
        due = DateSpoken(request.due_at.astimezone(flow.requests.calendar.zone).date())
        if flow.requests.deadline_state(request) == DeadlineState.OVERDUE:
            lines.append(say(prompts.prompt("estado-vencido"), due))
            lines.append(say(prompts.prompt("estado-vencido-nota")))
        else:
            lines.append(say(prompts.prompt("estado-plazo"), due))
    return tuple(lines)


async def ask_status_next(flow: CallFlow, state: CallState) -> Gather:
    """Another folio, the main menu, or an agent."""
    return closing_gather(flow, "estado-siguiente", HINTS)


async def answer_status_next(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """1 (or "otro folio") asks for another folio; the rest as at every closing menu."""
    return await closing_answer(
        flow,
        state,
        caller,
        first_words=ANOTHER_WORDS,
        first=lambda: move(flow, state, Step.FOLIO),
    )


ASKERS = {Step.FOLIO: ask_folio, Step.STATUS_READ: ask_status_next}
ANSWERERS = {Step.FOLIO: answer_folio, Step.STATUS_READ: answer_status_next}

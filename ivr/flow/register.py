"""Registering a request by phone: describe (or pick from the key menu, ``key_menu``),
confirm or choose, the place (``place``), reference, folio."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from ivr.flow import completion, place
from ivr.flow.common import Outcome, Retry, ToAgent, move, say
from ivr.flow.ports import ClassificationLike
from ivr.flow.state import VOICE, CallState, Candidate, Step
from ivr.flow.steps import CallerInput, Gather, Say, Turn
from ivr.flow.understanding import fold, is_no, is_yes, ordinal_choice

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow


MAX_CHOICES = 3
REDESCRIBE_KEY = "9"
MIN_WORDS = 2
MAX_ORDINAL_WORDS = 4  # "la segunda", "ninguna de esas"; longer speech is a new description


async def to_describe(flow: CallFlow, state: CallState, *before: Say) -> tuple[CallState, Turn]:
    """Ask for the problem: described by voice, or from the key menu when the call cannot be
    heard."""
    return await move(flow, state, Step.DESCRIBE if state.speech else Step.CATEGORY_KEYS, *before)


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


async def describe(flow: CallFlow, state: CallState, text: str) -> Outcome:
    """Classify a description and confirm, offer choices, or hand over."""
    if len(fold(text).split()) < MIN_WORDS:
        return Retry("no-entendi")
    if state.descriptions >= flow.options.max_failures:  # the key menu instead
        return await move(flow, state, Step.CATEGORY_KEYS, say(flow.prompts.prompt("no-entendi")))
    found = await _classify(flow, text)
    candidates = [
        Candidate(code=c.code, name=c.name, tema=c.tema, confidence=round(c.confidence, 3))
        for c in list(found.candidates)[:MAX_CHOICES]
    ]
    description = f"{state.description} {text}".strip() if state.description else text
    state = place.heard_place(
        state.with_(
            descriptions=state.descriptions + 1, candidates=candidates, description=description
        ),
        found,
    )
    if not candidates:
        return Retry("no-entendi")
    if found.decision == "confirm":
        return await move(flow, state, Step.CONFIRM_CATEGORY)
    if found.decision == "choose" and len(candidates) > 1:
        return await move(flow, state, Step.CHOOSE_CATEGORY)
    return ToAgent(reason="la categoría no es clara", state=state)


async def answer_describe(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Speech describes a problem; a key asks for the key menu."""
    if not caller.speech:
        return await move(flow, state, Step.CATEGORY_KEYS)
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
        return await to_describe(flow, state)
    return Retry("opcion-invalida")


async def ask_choose(flow: CallFlow, state: CallState) -> Gather:
    """Pick one of the best two or three categories."""
    names = [c.name for c in state.candidates]
    prompt = flow.prompts.prompt("categoria-elegir", nombres=names)
    return Gather(say=say(prompt), speech=True, speech_hints=tuple(names))


async def answer_choose(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """A key, a name or a place ("la segunda") picks a category; 9, "no", "ninguna" or a new
    sentence describes the problem again."""
    digits = (caller.digits or "").strip()
    if digits == REDESCRIBE_KEY:
        return await to_describe(flow, state)
    if digits.isdigit() and 1 <= int(digits) <= len(state.candidates):
        return await choose(flow, state, state.candidates[int(digits) - 1])
    if caller.speech:
        said = fold(caller.speech)
        for candidate in state.candidates:
            if fold(candidate.name) in said:
                return await choose(flow, state, candidate)
        short = len(said.split()) <= MAX_ORDINAL_WORDS
        picked = ordinal_choice(caller.speech) if short else None
        if picked == 0 or (short and picked is None and is_no(caller.speech)):
            return await to_describe(flow, state)
        if picked is not None and picked <= len(state.candidates):
            return await choose(flow, state, state.candidates[picked - 1])
        return await describe(flow, state.goto(Step.DESCRIBE), caller.speech)
    return Retry("opcion-invalida")


async def choose(flow: CallFlow, state: CallState, candidate: Candidate) -> Outcome:
    """Take a category: to an agent when the phone cannot complete it, else ask for the place."""
    state = state.with_(catalogue_code=candidate.code)
    entry = await flow.directory.entry(candidate.code)
    if entry is None or not entry.phone_completable:
        before = (say(flow.prompts.prompt("no-por-telefono")),)
        reason = "la categoría no se completa por teléfono"
        return ToAgent(reason=reason, before=before, state=state)
    return await place.ask_place(flow, state)


async def ask_reference(flow: CallFlow, state: CallState) -> Gather:
    """The street and a reference of the place, spoken (the answer's recording kept for a
    person when it cannot be transcribed); a caller who picked the category by keys may go on
    without one (#). A call that was not understood once is only recorded the second time."""
    if state.failures and state.transport in VOICE:
        prompt = flow.prompts.prompt("referencia-grabar")
        return Gather(say=say(prompt), speech=False, keep_audio=True, timeout_seconds=8)
    if Step.CATEGORY_KEYS.value not in state.path:
        prompt = flow.prompts.prompt("referencia-pregunta")
        return Gather(say=say(prompt), speech=True, keep_audio=True, timeout_seconds=8)
    return Gather(
        say=say(flow.prompts.prompt("referencia-teclas")),
        speech=True,
        keep_audio=True,
        timeout_seconds=8,
        finish_on_key="",  # "#" is the answer, not the end of one
    )


ASKERS = {
    Step.DESCRIBE: ask_describe,
    Step.CONFIRM_CATEGORY: ask_confirm,
    Step.CHOOSE_CATEGORY: ask_choose,
    **place.ASKERS,
    Step.REFERENCE: ask_reference,
}
ANSWERERS = {
    Step.DESCRIBE: answer_describe,
    Step.CONFIRM_CATEGORY: answer_confirm,
    Step.CHOOSE_CATEGORY: answer_choose,
    **place.ANSWERERS,
    Step.REFERENCE: completion.answer_reference,
}

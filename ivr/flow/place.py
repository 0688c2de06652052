"""Where the problem is: the alcaldía asked by voice first, keyed by postal code or number,
the list only on request, and the place read back and confirmed before the reference.

In Mexico City a postal code's first two digits are its alcaldía, 01–16, in the menu's
alphabetical order (the City's 2024 open-data sample agrees in 160 of 163 rows; the three
others, two codes, lie on the Iztapalapa–Tláhuac border), which is why the alcaldía is read
back.

>>> alcaldia_of_postal_code("04360"), alcaldia_of_postal_code("09960")
('Coyoacán', 'Iztapalapa')
>>> alcaldia_of_postal_code("54000") is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr.flow.common import Outcome, Retry, ToAgent, move, say
from ivr.flow.ports import ClassificationLike
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, Gather, Turn
from ivr.flow.understanding import digits_from_speech, is_no, is_yes, match_alcaldia, said_any
from ivr.prompts.spoken import spoken_number
from models.authorities import ALCALDIAS

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

POSTAL_CODE_DIGITS = 5
LIST_KEY = "*"
LIST_WORDS = frozenset({"lista", "opciones", "cuales", "todas", "asterisco"})
CONFIRM_HINTS = ("sí", "no", "correcto", *ALCALDIAS)


def alcaldia_of_postal_code(code: str) -> str | None:
    """The alcaldía a Mexico City postal code belongs to (None outside the City)."""
    if len(code) != POSTAL_CODE_DIGITS or not code.isdigit():
        return None
    number = int(code[:2])
    return ALCALDIAS[number - 1] if 1 <= number <= len(ALCALDIAS) else None


def alcaldia_keys() -> list[str]:
    """The two-digit key of each alcaldía, spoken ("cero uno" … "dieciséis")."""
    return [
        " ".join(spoken_number(int(d)) for d in f"{n:02d}") if n < 10 else spoken_number(n)
        for n in range(1, len(ALCALDIAS) + 1)
    ]


def _found(found: ClassificationLike, name: str) -> object:
    """A place attribute of a classification (on it directly, or on its ``place``)."""
    value = getattr(found, name, None)
    return value if value is not None else getattr(getattr(found, "place", None), name, None)


def heard_place(state: CallState, found: ClassificationLike) -> CallState:
    """``state`` with the place the classifier found in a description (kept when none)."""
    alcaldia, colonia = _found(found, "alcaldia"), _found(found, "colonia")
    if not isinstance(alcaldia, str) and not isinstance(colonia, str):
        return state
    lies_in = _found(found, "colonia_alcaldias")
    where = [str(a) for a in lies_in] if isinstance(lies_in, list | tuple) else []
    return state.with_(
        alcaldia=alcaldia if isinstance(alcaldia, str) else None,
        colonia=colonia if isinstance(colonia, str) else None,
        colonia_alcaldias=where if isinstance(colonia, str) else [],
        place_contradiction=_found(found, "contradiction") is True,
    )


def _settled(state: CallState, alcaldia: str) -> CallState:
    """The caller named ``alcaldia``: the colonia stays only if it lies there."""
    keep = state.colonia is not None and (
        not state.colonia_alcaldias or alcaldia in state.colonia_alcaldias
    )
    return state.with_(
        alcaldia=alcaldia,
        colonia=state.colonia if keep else None,
        colonia_alcaldias=state.colonia_alcaldias if keep else [],
        place_contradiction=False,
    )


async def ask_place(flow: CallFlow, state: CallState) -> tuple[CallState, Turn]:
    """After the category: confirm the place heard, or ask the alcaldía (saying why)."""
    if state.place_contradiction and state.colonia and state.alcaldia:
        why = flow.prompts.prompt(
            "lugar-contradiccion",
            colonia=state.colonia,
            alcaldias_colonia=state.colonia_alcaldias,
            alcaldia=state.alcaldia,
        )
        return await move(flow, state.with_(alcaldia=None), Step.ALCALDIA, say(why))
    if state.alcaldia:
        return await move(flow, state, Step.CONFIRM_PLACE)
    if state.colonia and len(state.colonia_alcaldias) > 1:
        why = flow.prompts.prompt(
            "lugar-varias", colonia=state.colonia, alcaldias_colonia=state.colonia_alcaldias
        )
        return await move(flow, state, Step.ALCALDIA, say(why))
    return await move(flow, state, Step.ALCALDIA)


async def ask_alcaldia(flow: CallFlow, state: CallState) -> Gather:
    """Which alcaldía: say it, or key the postal code (the list on request)."""
    return _alcaldia_gather(flow, "alcaldia-pregunta" if state.speech else "alcaldia-teclas")


def _alcaldia_gather(flow: CallFlow, prompt: str) -> Gather:
    text = flow.prompts.prompt(prompt, alcaldias=ALCALDIAS, claves=alcaldia_keys())
    return Gather(
        say=say(text),
        speech=True,
        max_digits=POSTAL_CODE_DIGITS,
        finish_on_key="#",  # "04#" need not wait for the time-out
        speech_hints=("lista", *ALCALDIAS),
    )


async def answer_alcaldia(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """A postal code, an alcaldía's number or name; the list on request."""
    digits = (caller.digits or "").strip()
    if digits == LIST_KEY or said_any(caller.speech, LIST_WORDS):
        return state, Turn(then=_alcaldia_gather(flow, "alcaldia-lista"))
    if caller.speech and not digits:
        said = digits_from_speech(caller.speech)
        digits = said if len(said) == POSTAL_CODE_DIGITS else ""
        name = match_alcaldia(caller.speech) or alcaldia_of_postal_code(digits)
    elif len(digits) == POSTAL_CODE_DIGITS:
        name = alcaldia_of_postal_code(digits)
        if name is None:
            return Retry("codigo-postal-fuera")
    else:
        number = int(digits) if digits.isdigit() and len(digits) <= 2 else 0
        name = ALCALDIAS[number - 1] if 1 <= number <= len(ALCALDIAS) else None
    if name is None:
        return Retry("no-entendi" if caller.speech else "opcion-invalida")
    return await move(flow, _settled(state, name), Step.CONFIRM_PLACE)


async def ask_confirm_place(flow: CallFlow, state: CallState) -> Gather:
    """Read the place back: is it right?"""
    prompt = flow.prompts.prompt(
        "lugar-confirmar", alcaldia=state.alcaldia, colonia=state.colonia, teclas=not state.speech
    )
    return Gather(say=say(prompt), speech=True, speech_hints=CONFIRM_HINTS)


async def answer_confirm_place(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Yes goes on to the reference (recorded for a person when the call cannot be heard);
    another alcaldía said is read back; no asks again."""
    digits = (caller.digits or "").strip()
    if digits == "1" or is_yes(caller.speech):
        return await move(flow, state, Step.REFERENCE)
    named = match_alcaldia(caller.speech) if caller.speech else None
    if named and named != state.alcaldia:  # "no, es en Coyoacán"
        return await move(flow, _settled(state, named), Step.CONFIRM_PLACE)
    if digits == "2" or is_no(caller.speech):
        refusals = state.place_refusals + 1
        if refusals >= flow.options.max_failures:
            return ToAgent(reason="la alcaldía no es clara", state=state)
        again = state.with_(
            alcaldia=None,
            colonia=None,
            colonia_alcaldias=[],
            place_contradiction=False,
            place_refusals=refusals,
        )
        return await move(flow, again, Step.ALCALDIA)
    return Retry("no-entendi" if caller.speech else "opcion-invalida")


ASKERS = {Step.ALCALDIA: ask_alcaldia, Step.CONFIRM_PLACE: ask_confirm_place}
ANSWERERS = {Step.ALCALDIA: answer_alcaldia, Step.CONFIRM_PLACE: answer_confirm_place}

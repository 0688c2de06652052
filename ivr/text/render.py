"""The flow's turns written as a message: each ``Say`` one sentence, a folio grouped as it is
printed, a date written out, and the question of a ``Gather`` last::

    >>> from ivr.flow.steps import Gather, Prompt, Say, Turn
    >>> turn = Turn(
    ...     actions=(Say((Prompt("folio-registrado", "Anote su folio:"), Digits("2600000018"))),),
    ...     then=Gather(say=Say((Prompt("registro-siguiente", "¿Algo más?"),))),
    ... )
    >>> turn_text(turn)
    'Anote su folio: 26-0000001-8. ¿Algo más?'
"""

from __future__ import annotations

from ivr.flow.steps import DateSpoken, Digits, Gather, Number, Part, Prompt, Say, Turn
from ivr.prompts.spoken import written_date
from models.folio import FOLIO_LENGTH, format_folio

SENTENCE_ENDS = ".!?:;…"


def part_text(part: Part) -> str:
    """How one part of a ``Say`` is written."""
    if isinstance(part, Prompt):
        return part.text
    if isinstance(part, Digits):
        return format_folio(part.value) if len(part.value) == FOLIO_LENGTH else part.value
    if isinstance(part, Number):
        return str(part.value)
    if isinstance(part, DateSpoken):
        return f"el {written_date(part.value)}"
    raise TypeError(f"unknown message part: {part!r}")


def say_text(say: Say) -> str:
    """One ``Say`` as one sentence, ended by a full stop when its last part has none."""
    text = " ".join(part_text(part) for part in say.parts).strip()
    return text if not text or text[-1] in SENTENCE_ENDS else f"{text}."


def turn_text(turn: Turn) -> str:
    """Everything the turn says, then its question when it waits for an answer."""
    says = [*turn.actions, *([turn.then.say] if isinstance(turn.then, Gather) else [])]
    return " ".join(text for text in map(say_text, says) if text)

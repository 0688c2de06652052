"""The menu after the IVR has read something back (a new folio, a status).

Both offer the same choices but the first: 1 (or its words) does the step's own thing,
2 (or "menú") returns to the main menu, any other words ("gracias, es todo") end the call
politely, and keys that mean nothing are re-prompted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ivr.flow.common import Outcome, Retry, farewell, move, say
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, Gather
from ivr.flow.understanding import said_any

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

MENU_WORDS = frozenset({"menu", "principal", "inicio"})


def closing_gather(flow: CallFlow, prompt: str, hints: tuple[str, ...]) -> Gather:
    """Ask the closing question ``prompt``, by keys or by voice."""
    return Gather(
        say=say(flow.prompts.prompt(prompt)), speech=True, timeout_seconds=5, speech_hints=hints
    )


async def closing_answer(
    flow: CallFlow,
    state: CallState,
    caller: CallerInput,
    *,
    first_words: frozenset[str],
    first: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    """Apply the caller's choice at a closing menu; ``first`` is option 1."""
    digits = (caller.digits or "").strip()
    if digits == "1" or said_any(caller.speech, first_words):
        return await first()
    if digits == "2" or said_any(caller.speech, MENU_WORDS):
        return await move(flow, state, Step.MENU)
    if caller.speech:
        return farewell(flow, state)
    return Retry("opcion-invalida")

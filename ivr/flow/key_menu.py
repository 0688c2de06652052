"""The category by keys alone: a short menu of the most requested categories.

Offered when the caller presses a key at the describe step, when the front cannot hear the
call (``CallState.speech`` False), and when describing by voice failed. The options are data
(``data/key_menu.yaml``: the City's 2024 volumes per tema, most requested first); the "other"
key goes to an agent.

>>> [(o.key, o.code) for o in options()][:2], other_key()
([('1', 'AGU-001'), ('2', 'ALU-001')], '9')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ivr.flow import register
from ivr.flow.common import Outcome, Retry, ToAgent, move, say
from ivr.flow.state import CallState, Candidate, Step
from ivr.flow.steps import CallerInput, Gather, Say, Turn

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow

MENU_FILE = Path(__file__).parent / "data" / "key_menu.yaml"


@dataclass(frozen=True)
class KeyOption:
    """One key of the menu and the catalogue entry it registers."""

    key: str
    tema: str
    volume_2024: int
    code: str
    spoken: str


@cache
def _menu() -> dict[str, Any]:
    return yaml.safe_load(MENU_FILE.read_text(encoding="utf-8"))


def options() -> tuple[KeyOption, ...]:
    """The menu's options, in the order they are read."""
    return tuple(KeyOption(**option) for option in _menu()["options"])


def other_key() -> str:
    """The key for "another problem" (to an agent)."""
    return str(_menu()["other_key"])


async def offer(flow: CallFlow, state: CallState, *before: Say) -> tuple[CallState, Turn]:
    """Go to the key menu, saying ``before`` first."""
    return await move(flow, state, Step.CATEGORY_KEYS, *before)


async def ask_keys(flow: CallFlow, state: CallState) -> Gather:
    """Read the options with their keys."""
    prompt = flow.prompts.prompt("categoria-teclas", opciones=options(), otra=other_key())
    return Gather(say=say(prompt), speech=True, speech_hints=tuple(o.spoken for o in options()))


async def answer_keys(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """A key picks its category; "other" goes to an agent; speech describes the problem
    (unless the descriptions are used up: then keys only)."""
    digits = (caller.digits or "").strip()
    if digits == other_key():
        return ToAgent(reason="otro problema en el menú por teclas", state=state)
    picked = next((o for o in options() if o.key == digits), None)
    if picked is not None:
        entry = await flow.directory.entry(picked.code)
        name = entry.name if entry is not None else picked.spoken
        candidate = Candidate(code=picked.code, name=name, tema=picked.tema, confidence=1.0)
        return await register.choose(flow, state.with_(candidates=[candidate]), candidate)
    if caller.speech and state.descriptions < flow.options.max_failures:
        return await register.describe(flow, state.goto(Step.DESCRIBE), caller.speech)
    return Retry("opcion-invalida")


ASKERS = {Step.CATEGORY_KEYS: ask_keys}
ANSWERERS = {Step.CATEGORY_KEYS: answer_keys}

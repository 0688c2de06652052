"""Pieces shared by the flow's step modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivr.flow.state import CallState, Step
from ivr.flow.steps import Hangup, Part, Say, Turn

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow


@dataclass(frozen=True)
class Retry:
    """The caller's input did not fit: explain with prompt ``reason`` and ask again (with
    ``replaces_question``, ``reason`` already says what to do and is asked instead)."""

    reason: str
    values: dict[str, object] | None = None
    replaces_question: bool = False


@dataclass(frozen=True)
class ToAgent:
    """The call goes to an agent, saying ``prompt`` first (and ``before``, if any).

    ``state`` is what the step learned before deciding so (categories, alcaldía), so that the
    agent gets it; without it the state the step started from is handed over.
    """

    reason: str
    prompt: str = "asesor"
    before: tuple[Say, ...] = ()
    state: CallState | None = None


Outcome = tuple[CallState, Turn] | Retry | ToAgent


def say(*parts: Part) -> Say:
    """A ``Say`` of ``parts``."""
    return Say(parts=tuple(parts))


async def move(
    flow: CallFlow, state: CallState, step: Step, *actions: Say
) -> tuple[CallState, Turn]:
    """Go to ``step``, say ``actions`` and ask that step's question."""
    state = state.goto(step)
    return state, Turn(actions=tuple(actions), then=await flow.ask(state))


def farewell(flow: CallFlow, state: CallState) -> tuple[CallState, Turn]:
    """Say goodbye and hang up."""
    done = state.goto(Step.DONE).with_(finished=True)
    return done, Turn(actions=(say(flow.prompts.prompt("despedida")),), then=Hangup())

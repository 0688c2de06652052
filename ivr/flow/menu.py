"""The main menu, and the call-back offer made instead of a long wait for an agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr.flow import register
from ivr.flow.common import Outcome, Retry, move, say
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, Gather, Hangup, Turn
from ivr.flow.understanding import is_no, is_yes, wants_status

if TYPE_CHECKING:
    from ivr.flow.engine import CallFlow


async def ask_menu(flow: CallFlow, state: CallState) -> Gather:
    """Say what you need, or 1 register, 2 status, 0 agent (keys only when not heard)."""
    return Gather(
        say=say(flow.prompts.prompt("menu-principal" if state.speech else "menu-teclas")),
        speech=True,
        speech_hints=await flow.directory.speech_hints(),
    )


async def answer_menu(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """Keys pick a branch; speech is a status question or already the problem's description."""
    digits = (caller.digits or "").strip()
    if digits == "1":
        return await register.to_describe(flow, state)
    if digits == "2":
        return await move(flow, state, Step.FOLIO)
    if caller.speech and wants_status(caller.speech):
        return await move(flow, state, Step.FOLIO)
    if caller.speech:
        return await register.describe(flow, state.goto(Step.DESCRIBE), caller.speech)
    return Retry("opcion-invalida")


async def ask_callback(flow: CallFlow, state: CallState) -> Gather:
    """Offer a call-back that keeps the caller's place in line."""
    assert flow.wait_estimator is not None
    wait = await flow.wait_estimator.expected_wait_seconds(flow.options.agent_queue) or 0.0
    minutes = max(1, round(wait / 60))
    return Gather(
        say=say(flow.prompts.prompt("devolucion-oferta", minutos=minutes)),
        speech=True,
        speech_hints=("sí", "no"),
    )


async def answer_callback(flow: CallFlow, state: CallState, caller: CallerInput) -> Outcome:
    """1 (or yes): book the call-back and hang up; 2 (or no): wait on the line."""
    digits = (caller.digits or "").strip()
    if digits == "1" or is_yes(caller.speech):
        assert flow.callbacks is not None
        context = flow.handoff_context(state, state.handoff_reason)
        await flow.callbacks.request_callback(
            call_id=state.call_id,
            phone=state.caller,
            queue=flow.options.agent_queue,
            context=context,
        )
        done = state.goto(Step.DONE).with_(finished=True)
        return done, Turn(
            actions=(say(flow.prompts.prompt("devolucion-confirmada")),), then=Hangup()
        )
    if digits == "2" or is_no(caller.speech):
        return await flow.transfer(state)
    return Retry("opcion-invalida")


ASKERS = {Step.MENU: ask_menu, Step.CALLBACK_OFFER: ask_callback}
ANSWERERS = {Step.MENU: answer_menu, Step.CALLBACK_OFFER: answer_callback}

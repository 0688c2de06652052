"""The text front: a citizen's messages (SMS or WhatsApp) drive the call flow like a call.

Each message is the caller's input at the conversation's current step: a message of digits
alone ("1", "09", "26 0000001 8") is keys, anything else is what the caller said. The first
message of a conversation is answered with the greeting and, unless it is only a greeting
("hola"), already as the answer to the main menu ("hay un bache en mi calle" is a
description). Each turn is written out (:mod:`ivr.text.render`); a hand-over to an agent books
a call-back to the citizen's number when call-backs are configured, and otherwise says how to
call Locatel; a hang-up ends the conversation. Like the voice fronts, this module holds no rule
of the flow: it only translates messages to the flow's input and turns to messages.
"""

from __future__ import annotations

import logging
import re
import uuid

from ivr.flow.engine import CallFlow
from ivr.flow.ports import CallbackBook
from ivr.flow.state import CallState
from ivr.flow.steps import CallerInput, CallInfo, Transfer, Turn
from ivr.flow.understanding import fold
from ivr.phones import WHATSAPP, to_e164
from ivr.text.render import turn_text
from ivr.text.store import Conversation, ConversationStore

log = logging.getLogger(__name__)

KEYS = re.compile(r"^[\d\s#*.\-]*[\d*][\d\s#*.\-]*$")  # what a keypad could have typed
GREETINGS = frozenset(
    {"hola", "ola", "buen", "buenas", "buenos", "dia", "dias", "tardes", "noches", "que", "tal"}
    | {"saludos", "oiga", "disculpe", "locatel", "hi", "hello"}
)


def caller_input(body: str) -> CallerInput:
    """A message as the flow's input: typed digits are keys, other words are speech.

    >>> caller_input(" 09 ").digits, caller_input("26-0000001-8").digits
    ('09', '2600000018')
    >>> caller_input("la dos").speech, caller_input("").empty, caller_input(" * ").digits
    ('la dos', True, '*')
    """
    if KEYS.match(body):
        return CallerInput(digits=re.sub(r"[^\d*]", "", body))
    return CallerInput(speech=body.strip() or None)


def only_greeting(body: str) -> bool:
    """Nothing but a greeting (or nothing at all): the conversation starts at the menu."""
    return set(fold(body).split()) <= GREETINGS


class TextFront:
    """Serves each sender's conversation, one message at a time."""

    def __init__(
        self,
        *,
        flow: CallFlow,
        conversations: ConversationStore,
        callbacks: CallbackBook | None = None,
    ) -> None:
        self.flow = flow
        self.conversations = conversations
        self._callbacks = callbacks

    async def current(self, sender: str) -> Conversation | None:
        """The sender's live conversation, if any."""
        return await self.conversations.current(sender)

    async def question(self, state: CallState) -> str:
        """The question the conversation waits on, written out again."""
        return turn_text(Turn(then=await self.flow.ask(state)))

    async def reply(self, sender: str, message_sid: str, body: str) -> str:
        """The reply to one message; a failure is answered in Spanish and ends the conversation."""
        try:
            return await self.conversations.serve(
                sender, message_sid, lambda state: self._answer(sender, message_sid, body, state)
            )
        except Exception:
            log.exception("the message %s of a conversation failed", message_sid)
            return self.failure()

    def failure(self) -> str:
        """The single failure path by message: an apology, and how to reach an agent."""
        prompts = self.flow.prompts
        return f"{prompts.text('falla-asesor')} {prompts.text('sms-asesor-llame')}"

    async def _answer(
        self, sender: str, message_sid: str, body: str, state: CallState | None
    ) -> tuple[CallState, str]:
        said = caller_input(body)
        if state is not None:
            state, turn = await self.flow.handle(state, said)
            return state, await self._written(state, turn)
        whatsapp = sender.startswith(WHATSAPP)
        call = CallInfo(
            call_id=message_sid or uuid.uuid4().hex,
            transport="whatsapp" if whatsapp else "sms",
            caller=to_e164(sender.removeprefix(WHATSAPP)),
        )
        state, turn = await self.flow.start(call)
        if not only_greeting(body):
            state, answer = await self.flow.handle(state, said)
            turn = Turn(actions=(*turn.actions, *answer.actions), then=answer.then)
        return state, await self._written(state, turn)

    async def _written(self, state: CallState, turn: Turn) -> str:
        """The turn as a message; a hand-over says how an agent will take it."""
        text = turn_text(turn)
        if not isinstance(turn.then, Transfer):
            return text
        phone = self.flow.callable_caller(state)
        if self._callbacks is None or phone is None:
            return f"{text} {self.flow.prompts.text('sms-asesor-llame')}"
        await self._callbacks.request_callback(
            call_id=state.call_id, phone=phone, queue=turn.then.queue, context=turn.then.context
        )
        return f"{text} {self.flow.prompts.text('sms-asesor-devolucion')}"

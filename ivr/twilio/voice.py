"""The Twilio voice front: parses webhooks, drives the call flow, stores state, renders TwiML.

No rule of the call lives here: this module only translates between Twilio and ``CallFlow``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ivr.flow.engine import CallFlow
from ivr.flow.state import CallState
from ivr.flow.steps import CallerInput, CallInfo, HandoffContext, Say, Transfer, Turn
from ivr.twilio.call_store import CallStore
from ivr.twilio.redis_store import RedisCallStore
from ivr.twilio.twiml import TwimlRenderer
from models.events import CallHandedOver

log = logging.getLogger(__name__)

CALL_SID = r"^CA[0-9a-fA-F]{32}$"
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class VoiceWebhook(BaseModel):
    """The fields of a Twilio voice webhook that the IVR reads (the rest is ignored)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    call_sid: str = Field(alias="CallSid", pattern=CALL_SID)
    caller: str = Field(default="", alias="From", max_length=64)
    called: str = Field(default="", alias="To", max_length=64)
    call_status: str = Field(default="", alias="CallStatus", max_length=32)
    digits: str | None = Field(default=None, alias="Digits", max_length=32)
    speech: str | None = Field(default=None, alias="SpeechResult", max_length=2000)
    confidence: float | None = Field(default=None, alias="Confidence", ge=0, le=1)
    duration: float | None = Field(default=None, alias="CallDuration", ge=0)


class VoiceFront:
    """Serves Twilio's voice webhooks for every call, statelessly (state is in the store)."""

    def __init__(
        self,
        *,
        flow: CallFlow,
        store: CallStore | RedisCallStore,
        renderer: TwimlRenderer,
        today: Callable[[], date],
    ) -> None:
        self._flow = flow
        self.store = store
        self._renderer = renderer
        self._today = today

    def _render(self, turn: Turn, seq: int) -> str:
        return self._renderer.render(turn, seq=seq, today=self._today())

    async def incoming(self, hook: VoiceWebhook) -> str:
        """A new call: greet it and store its state (a retried first webhook is answered again)."""
        try:
            return await self._incoming(hook)
        except Exception:
            log.exception("the first webhook of call %s failed", hook.call_sid)
            return self.fallback()

    async def _incoming(self, hook: VoiceWebhook) -> str:
        existing = await self.store.load(hook.call_sid)
        if existing is not None:
            return existing.last_response
        call = CallInfo(
            call_id=hook.call_sid, transport="twilio", caller=hook.caller, called=hook.called
        )
        state, turn = await self._flow.start(call)
        xml = self._render(turn, 1)
        return await self.store.create(hook.call_sid, state=state.model_dump_json(), response=xml)

    async def step(
        self, hook: VoiceWebhook, *, seq: int, silence: bool, media: bool = False
    ) -> str:
        """The caller's answer to turn ``seq``: computed once, repeated to retries.

        With ``media`` the answer is what the media stream heard (stored by the WebSocket).
        """
        try:
            claim = await self.store.claim(hook.call_sid, seq=seq)
            if not claim.found:
                log.warning("no stored state for call %s: sent to an agent", hook.call_sid)
                return self.fallback()
            if claim.state is None:
                return claim.response or self.fallback()
            state = CallState.model_validate_json(claim.state)
            if media:
                speech, digits = await self.store.media(hook.call_sid, seq=seq)
                hook = hook.model_copy(update={"speech": speech or None, "digits": digits or None})
                silence = not (speech or digits)
            caller = CallerInput(
                digits=None if silence else hook.digits,
                speech=None if silence else hook.speech,
                speech_confidence=hook.confidence,
                timed_out=silence,
            )
            state, turn = await self._flow.handle(state, caller)
            xml = self._render(turn, seq + 1)
            await self.store.save(
                hook.call_sid, seq=seq, state=state.model_dump_json(), response=xml
            )
            return xml
        except Exception:
            log.exception("Twilio step %s of call %s failed", seq, hook.call_sid)
            return self.fallback()

    async def status(self, hook: VoiceWebhook) -> None:
        """A call status callback: an ended call is closed in the flow (published once)."""
        if hook.call_status not in ENDED:
            return
        row = await self.store.load(hook.call_sid)
        if row is None:
            state = CallState(call_id=hook.call_sid, transport="twilio", caller=hook.caller)
        else:
            state = CallState.model_validate_json(row.state)
        ended = await self._flow.hangup(
            state, duration_seconds=hook.duration, status=hook.call_status
        )
        if row is not None:
            await self.store.put_state(hook.call_sid, state=ended.model_dump_json())

    async def callback(self, hook: VoiceWebhook, context: dict | None, queue: str) -> str:
        """A call-back was answered: one sentence, then the agent queue with the old context."""
        if context is None:
            return self.fallback()
        handoff = HandoffContext.model_validate(context)
        await self._flow.notifier.publish(
            CallHandedOver(
                call_id=hook.call_sid, queue=queue, context=handoff.model_dump(), source="callback"
            )
        )
        prompt = self._flow.prompts.prompt("devolucion-llamada")
        turn = Turn(actions=(Say(parts=(prompt,)),), then=Transfer(queue=queue, context=handoff))
        return self._render(turn, 0)

    def fallback(self) -> str:
        """The single failure path when even the state is gone: straight to an agent."""
        prompt = self._flow.prompts.prompt("falla-asesor")
        context = HandoffContext(reason="falla del sistema")
        turn = Turn(
            actions=(Say(parts=(prompt,)),),
            then=Transfer(queue=self._flow.options.agent_queue, context=context),
        )
        return self._render(turn, 0)

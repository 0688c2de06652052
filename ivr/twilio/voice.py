"""The Twilio voice front: parses webhooks, drives the call flow, stores state, renders TwiML.

No rule of the call lives here: this module only translates between Twilio and ``CallFlow``.
The queue webhooks (``<Enqueue>``'s hold loop and result, ``<Queue url>`` at dequeue) and a
transfer's redirect are reported to the flow (``CallFlow.reports``), which publishes the call
events the call recorder writes, as the AMI bridge does for Asterisk calls. A ``<Record>``'s
action brings the recording's URL on Twilio (fetched later by a job: ``reference_fetch``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from twilio.twiml.voice_response import VoiceResponse

from ivr.flow import input_limits
from ivr.flow.engine import CallFlow
from ivr.flow.reports import QueueExit
from ivr.flow.state import CallState
from ivr.flow.steps import CallerInput, CallInfo, HandoffContext, Say, Transfer, Turn
from ivr.phones import to_e164
from ivr.twilio.call_store import CallStore
from ivr.twilio.commands import dial_twiml
from ivr.twilio.redis_store import RedisCallStore
from ivr.twilio.reference_fetch import is_twilio_recording
from ivr.twilio.twiml import RECORD_MAX_SECONDS, TwimlRenderer
from models.reference_audio import SpokenReference

log = logging.getLogger(__name__)

CALL_SID = r"^CA[0-9a-fA-F]{32}$"
RECORDING_SID = r"^RE[0-9a-fA-F]{32}$"
GATHER_SPEECH_SECONDS = 60.0  # <Gather>'s maxSpeechTime (its default): no answer is longer
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# Twilio's <Enqueue> QueueResult → how the call left the queue
QUEUE_EXITS = {
    "hangup": QueueExit.ABANDONED,
    "bridged": QueueExit.TALKED,
    "leave": QueueExit.LEFT,
    "redirected": QueueExit.LEFT,
    "redirected-from-bridged": QueueExit.LEFT,
    "bridging-in-process": QueueExit.LEFT,
}


MAX_CALL_SECONDS = 24 * 3600  # Twilio ends every call after 24 hours
MAX_QUEUE_POSITION = 10_000  # far beyond any queue of the City's line


class VoiceWebhook(BaseModel):
    """The fields of a Twilio voice webhook that the IVR reads (the rest is ignored).

    A recording's URL is accepted only on Twilio's REST API, or on the stand-in named by the
    validation context's ``api_base`` (the configured ``SUAC_TWILIO__API_BASE_URL``).
    """

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    call_sid: str = Field(alias="CallSid", pattern=CALL_SID)
    caller: str = Field(default="", alias="From", max_length=64)
    called: str = Field(default="", alias="To", max_length=64)
    call_status: str = Field(default="", alias="CallStatus", max_length=32)
    digits: str | None = Field(default=None, alias="Digits")
    speech: str | None = Field(default=None, alias="SpeechResult")
    confidence: float | None = Field(default=None, alias="Confidence", ge=0, le=1)
    duration: float | None = Field(default=None, alias="CallDuration", ge=0, le=MAX_CALL_SECONDS)
    queue_result: str = Field(default="", alias="QueueResult", max_length=32)
    queue_time: float | None = Field(default=None, alias="QueueTime", ge=0, le=MAX_CALL_SECONDS)
    queue_position: int | None = Field(
        default=None, alias="QueuePosition", ge=0, le=MAX_QUEUE_POSITION
    )
    dequeuing_call: str = Field(default="", alias="DequeingCallSid", max_length=64)
    recording_url: str | None = Field(default=None, alias="RecordingUrl", max_length=300)
    recording_seconds: float | None = Field(
        default=None, alias="RecordingDuration", ge=0, le=RECORD_MAX_SECONDS + 5
    )
    recording_sid: str | None = Field(default=None, alias="RecordingSid", pattern=RECORDING_SID)

    @field_validator("call_status", "queue_result", "dequeuing_call")
    @classmethod
    def _printable(cls, value: str) -> str:
        """No control characters (the flow's input limits)."""
        return input_limits.printable(value)

    @field_validator("caller", "called")
    @classmethod
    def _e164(cls, value: str) -> str:
        """Numbers in E.164 from the edge on (a SIP address or "anonymous" as it came), without
        control characters."""
        return to_e164(input_limits.printable(value))

    @field_validator("digits")
    @classmethod
    def _keys(cls, value: str | None) -> str | None:
        """The keypad's keys only, in ASCII (the flow's input limits)."""
        return input_limits.keys(value)

    @field_validator("speech")
    @classmethod
    def _speech(cls, value: str | None) -> str | None:
        """Printable, ASCII digits; over-long is not heard (the flow's input limits)."""
        return input_limits.speech(value)

    @field_validator("recording_url")
    @classmethod
    def _recording(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A recording of this deployment's Twilio API, never any other address."""
        api_base = str((info.context or {}).get("api_base", ""))
        if value is not None and not is_twilio_recording(value, api_base=api_base):
            raise ValueError("RecordingUrl is not a recording on Twilio's REST API")
        return value

    @model_validator(mode="after")
    def _one_recording(self) -> VoiceWebhook:
        """``RecordingSid``, when sent, names the recording at ``RecordingUrl``."""
        url = self.recording_url or ""
        if self.recording_sid and not url.endswith(f"/Recordings/{self.recording_sid}"):
            raise ValueError("RecordingSid is not the recording at RecordingUrl")
        return self

    @property
    def recording(self) -> SpokenReference | None:
        """The recording a ``<Record>`` action brought, if any."""
        if self.recording_url is None:
            return None
        return SpokenReference(seconds=self.recording_seconds or 0.0, source_url=self.recording_url)


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

    def _render(self, turn: Turn, seq: int, call_id: str = "") -> str:
        return self._renderer.render(turn, seq=seq, today=self._today(), call_id=call_id)

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
        xml = self._render(turn, 1, hook.call_sid)
        return await self.store.create(hook.call_sid, state=state.model_dump_json(), response=xml)

    async def step(
        self, hook: VoiceWebhook, *, seq: int, silence: bool, media: bool = False
    ) -> str:
        """The caller's answer to turn ``seq``: computed once, repeated to retries.

        A turn left claimed by a dead worker is computed afresh once its lease lapses; one
        still held after two leases sends the caller to an agent (never the previous prompt
        again). With ``media`` the answer is what the media stream heard (stored by the
        WebSocket).
        """
        try:
            claim = await self.store.claim(hook.call_sid, seq=seq)
            if not claim.found:
                log.warning("no stored state for call %s: sent to an agent", hook.call_sid)
                return self.fallback()
            if claim.state is None:
                return claim.response or self.fallback()
            state = CallState.model_validate_json(claim.state)
            seconds: float | None = GATHER_SPEECH_SECONDS
            if media:
                speech, digits, seconds = await self.store.media(hook.call_sid, seq=seq)
                hook = hook.model_copy(update={"speech": speech or None, "digits": digits or None})
                silence = not (speech or digits)
            caller = CallerInput(
                digits=None if silence else hook.digits,
                speech=None if silence else hook.speech,
                speech_confidence=hook.confidence,
                timed_out=silence,
                speech_seconds=seconds,
                audio=None if silence else hook.recording,
            )
            state, turn = await self._flow.handle(state, caller)
            xml = self._render(turn, seq + 1, hook.call_sid)
            return await self.store.save(
                hook.call_sid, seq=seq, state=state.model_dump_json(), response=xml
            )
        except Exception:
            log.exception("Twilio step %s of call %s failed", seq, hook.call_sid)
            return self.fallback()

    async def read_status(self, hook: VoiceWebhook, folio: str) -> str:
        """An agent sent the caller back to the status reading: the call goes on as a new turn
        of its stored conversation, so its next gathers are served as usual."""
        try:
            call = CallInfo(
                call_id=hook.call_sid, transport="twilio", caller=hook.caller, called=hook.called
            )
            row = await self.store.load(hook.call_sid)
            seq = row.seq if row is not None else 0
            claim = await self.store.claim(hook.call_sid, seq=seq) if row is not None else None
            if claim is not None and claim.state is None:
                return claim.response or self.fallback()
            state, turn = await self._flow.read_status(call, folio)
            xml = self._render(turn, seq + 1, hook.call_sid)
            if row is None:
                return await self.store.create(
                    hook.call_sid, state=state.model_dump_json(), response=xml
                )
            return await self.store.save(
                hook.call_sid, seq=seq, state=state.model_dump_json(), response=xml
            )
        except Exception:
            log.exception("the status reading of call %s failed", hook.call_sid)
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
        turn = await self._flow.callback_answered(hook.call_sid, queue=queue, context=handoff)
        return self._render(turn, 0)

    async def queue_wait(self, hook: VoiceWebhook, queue: str) -> str:
        """``<Enqueue waitUrl>``: the caller waits at ``QueuePosition``; the hold loop."""
        message = await self._flow.reports.waiting(
            hook.call_sid, queue=queue, position=hook.queue_position
        )
        return self._renderer.hold(message)

    async def queue_connected(self, hook: VoiceWebhook, queue: str, agent: str) -> str:
        """``<Queue url>``: an agent's call dequeued this caller after ``QueueTime``."""
        await self._flow.reports.connected(
            hook.call_sid,
            queue=queue,
            agent=agent or hook.dequeuing_call,
            wait_seconds=hook.queue_time,
        )
        return str(VoiceResponse())  # nothing to say: the caller is put through at once

    async def queue_result(self, hook: VoiceWebhook, queue: str) -> str:
        """``<Enqueue action>``: the call left the queue; a caller still on the line after the
        agent's conversation means the agent hung up first."""
        how = QUEUE_EXITS.get(hook.queue_result, QueueExit.FAILED)
        on_line = hook.call_status == "in-progress"
        turn = await self._flow.reports.left_queue(
            hook.call_sid,
            queue=queue,
            how=how,
            wait_seconds=hook.queue_time,
            ended_by="agent" if on_line else "caller",
        )
        return self._render(turn, 0)

    async def transferred(self, hook: VoiceWebhook, target: str) -> str:
        """The call was redirected here to be transferred to ``target`` (a number or SIP)."""
        twiml = dial_twiml(target)
        await self._flow.reports.transferred(hook.call_sid, target=target)
        return twiml

    def agent_leg(self, queue: str, agent: str) -> str:
        """An agent's own call (from ``agent``) takes the next caller of ``queue``."""
        return self._renderer.agent_leg(queue or self._flow.options.agent_queue, agent)

    def fallback(self) -> str:
        """The single failure path when even the state is gone: straight to an agent."""
        prompt = self._flow.prompts.prompt("falla-asesor")
        context = HandoffContext(reason="falla del sistema")
        turn = Turn(
            actions=(Say(parts=(prompt,)),),
            then=Transfer(queue=self._flow.options.agent_queue, context=context),
        )
        return self._render(turn, 0)

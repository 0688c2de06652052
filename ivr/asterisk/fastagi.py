"""The FastAGI front: drives the shared call flow (``ivr.flow``) over one AGI session.

It only translates. Each :class:`~ivr.flow.steps.Turn` becomes AGI commands: prompts, digits,
numbers and dates are played with ``STREAM FILE`` (interruptible by keys) in the project's
synthesised voice (:mod:`ivr.asterisk.prompt_audio`), never with ``SAY`` and Asterisk's language
packs; a ``Gather`` collects keys with ``WAIT FOR DIGIT`` and, when it accepts speech, records
the caller (:mod:`ivr.asterisk.answer_recording`) or asks Asterisk's own recogniser
(``SPEECH RECOGNIZE``); a ``Transfer`` stores the
hand-off context in channel variables and ends the script so the dialplan queues the call;
a ``Hangup`` tells the dialplan to hang up. After the first greeting the caller hears the
recording notice and ``MixMonitor`` starts, recording to ``<recordings>/<Linkedid>.wav``; the
recording is reported to the flow, and the call recorder ties it (and any folio registered,
through ``RequestRegistered.call_id``) to the call's record: nothing here writes records.

A caller who hangs up mid-command ends the session at once and the flow is told
(``CallFlow.hangup``), so nothing is left half-written. Any other failure takes the single
path to a human: the same hand-off as any other (context, ``call.handed_over``), "le comunico
con un asesor", then the queue.
"""

from __future__ import annotations

import base64
import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.asterisk import constants as names
from ivr.asterisk.agi_channel import AgiChannel
from ivr.asterisk.agi_result import speech_results
from ivr.asterisk.answer_recording import AnswerRecorder
from ivr.asterisk.errors import CallerHungUp
from ivr.asterisk.panoramisk_adapter import AgiSession, FastAgiServer
from ivr.asterisk.prompt_audio import TONE, PromptAudio
from ivr.flow import (
    CallerInput,
    CallFlow,
    CallInfo,
    CallState,
    Gather,
    Hangup,
    Say,
    Transfer,
    Turn,
)
from ivr.phones import to_e164
from ivr.speech import UtteranceEngine

log = logging.getLogger(__name__)
UNKNOWN = {"", "unknown"}
KEYS_ONLY = "dtmf"  # the value of SUAC_VOZ, as of ``SUAC_ASTERISK__SPEECH``, for one call
FAILURE_REASON, FAILURE_PROMPT = "falla del sistema", "falla-asesor"


@dataclass(frozen=True)
class AgiOptions:
    """How the front talks to Asterisk (from ``Settings.asterisk``)."""

    recordings_dir: str
    zone: ZoneInfo
    speech: str = "record"  # "dtmf", "record" (RECORD FILE + local engine) or "asterisk"
    inter_digit_ms: int = 3000
    max_utterance_ms: int = 15000


class AgiFront:
    """Serves the ``ivr`` and ``estado`` FastAGI routes."""

    def __init__(
        self,
        *,
        flow: CallFlow,
        audio: PromptAudio,
        options: AgiOptions,
        recognizer: UtteranceEngine | None = None,
        pool: Executor | None = None,
    ) -> None:
        self.flow, self.audio, self.options = flow, audio, options
        self._recognizer = recognizer
        self._recorder = AnswerRecorder(
            folder=f"{options.recordings_dir}/{names.UTTERANCES_DIR}",
            recognizer=recognizer,
            pool=pool,
            max_utterance_ms=options.max_utterance_ms,
        )

    def install(self, server: FastAgiServer) -> None:
        """Register the routes the dialplan calls."""
        server.route(names.AGI_ROUTE_IVR, self.ivr)
        server.route(names.AGI_ROUTE_STATUS, self.status)

    async def ivr(self, session: AgiSession) -> None:
        """A new call from the trunk: greet, notice, record, then the flow's turns."""
        channel = AgiChannel(session)
        call = await self._call_info(channel)
        state, turn = await self.flow.start(call)
        await self._converse(channel, state, turn, notice=True)

    async def status(self, session: AgiSession) -> None:
        """Re-entry into the status reading, with the folio when the redirect carried one."""
        channel = AgiChannel(session)
        call = await self._call_info(channel)
        folio = await channel.get_variable("${" + names.VAR_FOLIO + "}")
        state, turn = await self.flow.read_status(call, folio or "")
        await self._converse(channel, state, turn, notice=False)

    async def _call_info(self, channel: AgiChannel) -> CallInfo:
        env = channel.env
        linkedid = await channel.get_variable("${CHANNEL(linkedid)}")
        keys_only = await channel.get_variable("${" + names.VAR_SPEECH + "}") == KEYS_ONLY
        caller = env.get("agi_callerid", "")
        called = env.get("agi_dnid", "")
        return CallInfo(
            call_id=linkedid or env.get("agi_uniqueid", ""),
            transport="asterisk",
            caller="" if caller in UNKNOWN else to_e164(caller),
            called=env.get("agi_extension", "") if called in UNKNOWN else called,
            speech=self._hears() and not keys_only,
        )

    def _hears(self) -> bool:
        """Whether a caller's speech can be understood (else the flow asks for keys only; a
        call whose dialplan set ``SUAC_VOZ=dtmf``, a noisy line say, is keys only too)."""
        return self.options.speech == "asterisk" or (
            self.options.speech == "record" and self._recognizer is not None
        )

    async def _converse(
        self, channel: AgiChannel, state: CallState, turn: Turn, *, notice: bool
    ) -> None:
        try:
            while True:
                pressed = await self._say_all(channel, turn.actions)
                if notice:
                    await self._start_recording(channel, state)
                    notice = False
                if isinstance(turn.then, Gather):
                    heard = await self._gather(channel, state, turn.then, pressed)
                    state, turn = await self.flow.handle(state, heard)
                elif isinstance(turn.then, Transfer):
                    await self._hand_over(channel, turn.then)
                    return
                else:
                    assert isinstance(turn.then, Hangup)
                    await channel.set_variable(names.VAR_NEXT, names.NEXT_HANGUP)
                    return
        except CallerHungUp:
            log.info("caller hung up on call %s at step %s", state.call_id, state.step)
            await self.flow.hangup(state)
        except Exception:  # noqa: BLE001  (the one path to a human)
            log.exception("the FastAGI front failed on call %s", state.call_id)
            await self._to_agent_after_failure(channel, state)

    async def _say_all(self, channel: AgiChannel, actions: tuple[Say, ...]) -> str | None:
        for say in actions:
            if pressed := await self._play(channel, say.parts):
                return pressed
        return None

    async def _play(
        self, channel: AgiChannel, parts: tuple, interruptible: bool = True
    ) -> str | None:
        """Play parts in order, all in the project's voice (digits and dates too); the first
        key pressed stops them and is returned."""
        today = datetime.now(self.options.zone).date()
        for part in parts:
            for path in await self.audio.paths_for(part, today=today):
                if pressed := await channel.stream_file(path, interruptible=interruptible):
                    return pressed
        return None

    async def _gather(
        self, channel: AgiChannel, state: CallState, gather: Gather, pressed: str | None
    ) -> CallerInput:
        first = pressed or await self._play(channel, gather.say.parts, interruptible=gather.dtmf)
        if first is None and (gather.speech or gather.keep_audio):
            first, heard = await self._listen(channel, state, gather)
            if heard is not None:
                return heard
        if first is None and gather.dtmf:
            first = await channel.wait_for_digit(gather.timeout_seconds * 1000)
        if first is None or not gather.dtmf:
            return CallerInput(timed_out=True)
        return CallerInput(digits=await self._more_digits(channel, gather, first))

    async def _more_digits(self, channel: AgiChannel, gather: Gather, keys: str) -> str:
        while True:
            if gather.finish_on_key and keys.endswith(gather.finish_on_key):
                return keys[: -len(gather.finish_on_key)]
            if gather.max_digits is not None and len(keys) >= gather.max_digits:
                return keys
            key = await channel.wait_for_digit(self.options.inter_digit_ms)
            if key is None:
                return keys
            keys += key

    async def _listen(
        self, channel: AgiChannel, state: CallState, gather: Gather
    ) -> tuple[str | None, CallerInput | None]:
        """Speech: (a key pressed instead, or None; what was said, or None). A gather that keeps
        its audio is recorded even on a call served by keys (then not transcribed)."""
        if gather.speech and self.options.speech == "asterisk":
            return await self._recognize_in_asterisk(channel, gather)
        name = f"{state.call_id}-{len(state.path)}"
        return await self._recorder.listen(
            channel,
            name,
            tone=self.audio.tone_path(),
            transcribe=gather.speech and self.options.speech == "record",
            keep=gather.keep_audio,
        )

    async def _recognize_in_asterisk(
        self, channel: AgiChannel, gather: Gather
    ) -> tuple[str | None, CallerInput | None]:
        if (await channel.run("SPEECH CREATE vosk")).result != "1":
            log.error("Asterisk has no 'vosk' speech engine (res_speech_vosk): keys only")
            return None, None
        try:  # res_agi counts this time-out in seconds, unlike every other AGI command
            seconds = max(gather.timeout_seconds, -(-self.options.max_utterance_ms // 1000))
            tone = self.audio.static_path(TONE)  # a prompt it cannot open is skipped here
            reply = await channel.run(f"SPEECH RECOGNIZE {tone} {seconds}")
        finally:
            if not channel.session.hung_up:
                await channel.run("SPEECH DESTROY")
        if reply.data == "digit":  # "200 result=1 (digit) digit=5 endpos=…"
            return reply.fields.get("digit") or None, None
        results = speech_results(reply)
        if not results:
            return None, CallerInput(timed_out=True)
        text, score = results[0]
        return None, CallerInput(speech=text, speech_confidence=score)

    async def _start_recording(self, channel: AgiChannel, state: CallState) -> None:
        """Play the recording notice, then record the whole call (tied to its Linkedid)."""
        await channel.stream_file(
            self.audio.static_path(names.RECORDING_NOTICE_PROMPT), interruptible=False
        )
        path = f"{self.options.recordings_dir}/{state.call_id}.{names.RECORDING_FORMAT}"
        await channel.exec("MixMonitor", path)
        await channel.set_variable(names.VAR_RECORDING, path)
        await self.flow.reports.recording_started(state.call_id, path=path)

    async def _hand_over(self, channel: AgiChannel, transfer: Transfer) -> None:
        """Store what the agent needs in channel variables; the dialplan queues the call."""
        context = transfer.context
        payload = context.model_dump_json().encode()
        for name, value in (
            (names.VAR_CALL_ID, transfer.call_id),
            (names.VAR_QUEUE, transfer.queue),
            (names.VAR_FOLIO, context.folio or ""),
            (names.VAR_CATEGORY, context.top_category),
            (names.VAR_ALCALDIA, context.alcaldia or ""),
            (names.VAR_REASON, context.reason),
            (names.VAR_CONTEXT, base64.b64encode(payload).decode()),
            (names.VAR_NEXT, names.NEXT_QUEUE),
        ):
            await channel.set_variable(name, value)

    async def _to_agent_after_failure(self, channel: AgiChannel, state: CallState) -> None:
        """The single path to a human: the same hand-off (context, ``call.handed_over``) as
        any other, then the notice; the variables first, as the notice may be what failed.
        A call the flow had already finished keeps the hand-off it published."""
        try:
            await channel.set_variable(names.VAR_REASON, FAILURE_REASON)
            await channel.set_variable(names.VAR_NEXT, names.NEXT_QUEUE)
            if not state.finished:
                failed = state.with_(handoff_reason=FAILURE_REASON)
                _, turn = await self.flow.transfer(failed, FAILURE_PROMPT)
                assert isinstance(turn.then, Transfer)
                await self._hand_over(channel, turn.then)
            notice = self.flow.prompts.prompt(FAILURE_PROMPT)
            await self._play(channel, (notice,), interruptible=False)
        except Exception:  # noqa: BLE001  (the dialplan's fall-back queues the call anyway)
            log.warning("could not complete the hand-off after a failure", exc_info=True)

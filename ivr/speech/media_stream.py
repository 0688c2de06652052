"""The ``<Connect><Stream>`` WebSocket: Twilio Media Streams into a local speech engine.

Twilio sends JSON messages: ``connected``, ``start`` (call SID, custom parameters), ``media``
(base64 μ-law, 8 kHz, 20 ms frames), ``dtmf`` and ``stop``. The audio is decoded and fed to the
engine off the event loop; at the end of the utterance (Vosk's own end-pointing, or an energy
end-pointer for utterance engines such as Whisper), on silence, or once the keys are in (the
``max_digits``, the ``finish_on_key`` or a pause after the last key, as ``<Gather>`` does, so a
folio can be keyed), the result is stored for the call and the socket is closed, so Twilio
continues at the ``<Connect action>`` URL, where the flow receives it like any other answer.

The stream is bounded: ``start`` must be the first message after ``connected`` and is admitted
(or refused) by the caller's ``admit`` before any audio is taken; a stream without a message
for ``media_idle_seconds`` or open for ``media_max_seconds`` is ended; a malformed message
ends it as refused, logged in one line. The recogniser is only made once the stream is admitted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio
from anyio import to_thread
from fastapi import WebSocketDisconnect

from ivr.speech.audio import SPEECH_RMS, rms, ulaw_to_pcm16
from ivr.speech.engines import SAMPLE_RATE, UtteranceEngine, VoskEngine, VoskStream
from ivr.speech.media_frames import DtmfFrame, MalformedFrame, MediaFrame, Start, Stop, parse_frame
from models.config import LimitSettings

log = logging.getLogger(__name__)

FRAME_MS = 20
END_SILENCE_MS = 800
MAX_UTTERANCE_SECONDS = 15
MAX_KEYING_SECONDS = 60
REFUSED = frozenset({"malformed", "refused"})  # how a stream ends when nothing it said counts
# (call SID, turn, token) → why the stream may not run, or None
Admit = Callable[[str, int, str], Awaitable[str | None]]


class TextSocket(Protocol):
    """What the session reads from: Starlette's ``WebSocket`` (or a script of messages)."""

    async def receive_text(self) -> str: ...


@dataclass
class MediaResult:
    """What the caller did during one stream."""

    call_sid: str = ""
    seq: int = 0
    speech: str = ""
    digits: str = ""
    frames: int = 0
    ended_by: str = ""
    seconds: float = 0.0

    @property
    def refused(self) -> bool:
        """The stream was not admitted, or broke Twilio's protocol: nothing it said counts."""
        return self.ended_by in REFUSED


@dataclass
class Endpointer:
    """Energy end-pointing for utterance engines: speech, then ``END_SILENCE_MS`` of quiet."""

    heard: bool = False
    quiet_ms: int = 0
    audio: bytearray = field(default_factory=bytearray)

    def feed(self, pcm16: bytes) -> bool:
        """Add a frame; True when the utterance has ended."""
        self.audio += pcm16
        loud = rms(pcm16) >= SPEECH_RMS
        self.heard = self.heard or loud
        self.quiet_ms = 0 if loud else self.quiet_ms + len(pcm16) * 1000 // (2 * SAMPLE_RATE)
        return self.heard and self.quiet_ms >= END_SILENCE_MS


class MediaSession:
    """Recognises one stream with ``engine`` (streaming Vosk or an utterance engine)."""

    def __init__(
        self,
        engine: VoskEngine | UtteranceEngine,
        *,
        timeout_seconds: float,
        limits: LimitSettings | None = None,
    ) -> None:
        self._engine = engine
        self._timeout = timeout_seconds
        self._limits = limits or LimitSettings()
        self._stream: VoskStream | None = None
        self._endpointer = Endpointer()
        self._max_digits = 1
        self._finish_key = ""
        self._last_key_at = 0.0
        self.result = MediaResult()

    @property
    def _heard_seconds(self) -> float:
        """Audio received so far (Twilio streams silence too, so this is the call's clock)."""
        return len(self._endpointer.audio) / (2 * SAMPLE_RATE)

    async def _audio(self, pcm16: bytes) -> bool:
        self.result.frames += 1
        ended = self._endpointer.feed(pcm16)
        if self._stream is not None:
            ended = await to_thread.run_sync(self._stream.accept, pcm16)
        return ended and not self.result.digits  # a key tone is no end of keying

    async def _transcript(self) -> str:
        if self._stream is not None:
            return (await to_thread.run_sync(self._stream.finish)).text
        if not self._endpointer.heard:
            return ""
        audio = bytes(self._endpointer.audio)
        return (await to_thread.run_sync(self._engine.transcribe, audio)).text

    async def run(self, websocket: TextSocket, *, admit: Admit | None = None) -> MediaResult:
        """Read Twilio's messages until the utterance, a key, silence or ``stop`` ends it (or
        the stream is refused, malformed, idle or too long). ``admit`` judges the ``start``."""
        ends_at = time.monotonic() + self._limits.media_max_seconds
        try:
            while not self.result.ended_by:
                self.result.ended_by = await self._next(websocket, ends_at, admit)
        except WebSocketDisconnect:
            self.result.ended_by = "disconnect"
        except MalformedFrame as error:
            log.warning("refused a malformed media frame of call %s: %s", self._who, error)
            self.result.ended_by = "malformed"
        if self.result.refused:
            return self.result
        if not self.result.digits and self.result.call_sid:
            self.result.speech = await self._transcript()
        self.result.seconds = self._heard_seconds
        return self.result

    @property
    def _who(self) -> str:
        return self.result.call_sid or "(not started)"

    async def _next(self, websocket: TextSocket, ends_at: float, admit: Admit | None) -> str:
        """Wait for the next message (within the idle and total bounds) and take it."""
        left = ends_at - time.monotonic()
        wait = min(self._limits.media_idle_seconds, left)
        try:
            with anyio.fail_after(max(wait, 0)):
                text = await websocket.receive_text()
        except TimeoutError:
            ended_by = "idle" if wait < left else "time-limit"
            log.info("ended the media stream of call %s: %s", self._who, ended_by)
            return ended_by
        except KeyError:  # Starlette's receive_text on a binary message
            raise MalformedFrame("binary frame") from None
        return await self._message(text, admit)

    async def _message(self, text: str, admit: Admit | None) -> str:
        frame = parse_frame(text)
        started = bool(self.result.call_sid)
        if isinstance(frame, Start):
            if started:
                raise MalformedFrame("a second start")
            return await self._start(frame, admit)
        if not started and isinstance(frame, MediaFrame | DtmfFrame):
            raise MalformedFrame(f"{frame.event} before the start")
        if isinstance(frame, MediaFrame):
            if await self._audio(ulaw_to_pcm16(frame.media.audio)):
                return "end-of-utterance"
        elif isinstance(frame, DtmfFrame):
            return self._key(frame.dtmf.digit)
        elif isinstance(frame, Stop):
            return "stop"
        # time is counted in audio received (Twilio streams silence too), not wall clock
        heard = self._heard_seconds
        if self.result.digits:
            keyed_out = heard - self._last_key_at >= self._timeout
            return "dtmf" if keyed_out or heard >= MAX_KEYING_SECONDS else ""
        silent = not self._endpointer.heard and heard >= self._timeout
        if heard >= MAX_UTTERANCE_SECONDS or silent:
            return "timeout"
        return ""

    async def _start(self, frame: Start, admit: Admit | None) -> str:
        """Admit the stream for its call and turn, then take the gather's rules."""
        call_sid, parameters = frame.start.call_sid, frame.start.custom_parameters
        seq = parameters.get("seq", "")
        if not seq.isdecimal():
            raise MalformedFrame("start without a turn (seq)")
        refusal = await admit(call_sid, int(seq), parameters.get("token", "")) if admit else None
        if refusal is not None:
            log.warning("refused the media stream claiming call %s: %s", call_sid, refusal)
            return "refused"
        self.result.call_sid, self.result.seq = call_sid, int(seq)
        if isinstance(self._engine, VoskEngine):
            self._stream = self._engine.stream()
        self._rules(parameters)
        return ""

    def _rules(self, parameters: dict[str, str]) -> None:
        """The gather's rules, passed as the stream's custom parameters."""
        timeout = str(parameters.get("timeout", ""))
        if timeout.isdecimal():
            self._timeout = min(float(timeout), MAX_UTTERANCE_SECONDS)
        max_digits = str(parameters.get("max_digits", ""))
        if max_digits.isdecimal():
            self._max_digits = int(max_digits)  # 0: until the finish key or a pause
        self._finish_key = str(parameters.get("finish_on_key", ""))[:1]

    def _key(self, digit: str) -> str:
        """A key: the finish key or the last allowed key ends the keying."""
        if self._finish_key and digit == self._finish_key:
            return "dtmf"
        self.result.digits += digit
        self._last_key_at = self._heard_seconds
        full = self._max_digits and len(self.result.digits) >= self._max_digits
        return "dtmf" if full else ""

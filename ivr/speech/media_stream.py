"""The ``<Connect><Stream>`` WebSocket: Twilio Media Streams into a local speech engine.

Twilio sends JSON messages: ``connected``, ``start`` (call SID, custom parameters), ``media``
(base64 μ-law, 8 kHz, 20 ms frames), ``dtmf`` and ``stop``. The audio is decoded and fed to the
engine off the event loop; at the end of the utterance (Vosk's own end-pointing, or an energy
end-pointer for utterance engines such as Whisper), on silence, or once the keys are in (the
``max_digits``, the ``finish_on_key`` or a pause after the last key, as ``<Gather>`` does, so a
folio can be keyed), the result is stored for the call and the socket is closed, so Twilio
continues at the ``<Connect action>`` URL, where the flow receives it like any other answer.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field

from anyio import to_thread
from fastapi import WebSocket, WebSocketDisconnect

from ivr.speech.audio import SPEECH_RMS, rms, ulaw_to_pcm16
from ivr.speech.engines import SAMPLE_RATE, UtteranceEngine, VoskEngine

log = logging.getLogger(__name__)

FRAME_MS = 20
END_SILENCE_MS = 800
MAX_UTTERANCE_SECONDS = 15
MAX_KEYING_SECONDS = 60


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

    def __init__(self, engine: VoskEngine | UtteranceEngine, *, timeout_seconds: float) -> None:
        self._engine = engine
        self._timeout = timeout_seconds
        self._stream = engine.stream() if isinstance(engine, VoskEngine) else None
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

    async def run(self, websocket: WebSocket) -> MediaResult:
        """Read Twilio's messages until the utterance, a key, silence or ``stop`` ends it."""
        try:
            while not self.result.ended_by:
                message = json.loads(await websocket.receive_text())
                self.result.ended_by = await self._message(message)
        except WebSocketDisconnect:
            self.result.ended_by = "disconnect"
        if not self.result.digits:
            self.result.speech = await self._transcript()
        self.result.seconds = self._heard_seconds
        return self.result

    async def _message(self, message: dict) -> str:
        event = message.get("event")
        if event == "start":
            start = message.get("start") or {}
            self.result.call_sid = str(start.get("callSid", ""))[:64]
            seq = str((start.get("customParameters") or {}).get("seq", "0"))
            self.result.seq = int(seq) if seq.isdigit() else 0
            self._start(start.get("customParameters") or {})
        elif event == "media":
            pcm = ulaw_to_pcm16(base64.b64decode(message["media"]["payload"]))
            if await self._audio(pcm):
                return "end-of-utterance"
        elif event == "dtmf":
            return self._key(str((message.get("dtmf") or {}).get("digit", ""))[:1])
        elif event == "stop":
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

    def _start(self, parameters: dict) -> None:
        """The gather's rules, passed as the stream's custom parameters."""
        timeout = str(parameters.get("timeout", ""))
        if timeout.isdigit():
            self._timeout = min(float(timeout), MAX_UTTERANCE_SECONDS)
        max_digits = str(parameters.get("max_digits", ""))
        if max_digits.isdigit():
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

"""A caller's spoken answer, recorded over AGI and transcribed by the local speech engine.

A stock Asterisk gives three traps, each read in ``res/res_agi.c`` (``handle_recordfile``):
``RECORD FILE`` creates no folder (``200 result=-1 (writefile)``); its ``BEEP`` option plays
the core sound ``beep``, which a server without the core sounds lacks; and a caller who says
nothing leaves a recording with no samples (``endpos=0``). So the project's own tone is played
first and ``BEEP`` is never asked for; a missing folder is made (by Asterisk's own user with
``System`` where ``app_system`` is loaded, so Asterisk may write in it, else by this process,
which reads the recordings from the same path) and the recording tried once more; a recording
that still cannot be made or read means the caller is asked by keys, and an empty or silent
one is "not heard", so the caller is asked again. None of them is a system failure. An answer
whose recording is kept (``keep``: a reference for a person) is handed over with its WAV bytes
when it holds speech, transcribed or not (there may be no speech engine at all)::

    recorder = AnswerRecorder(folder="/var/spool/asterisk/monitor/suac/ivr", recognizer=engine)
    key, heard = await recorder.listen(channel, "1795555792.8-3", tone="/…/voz/tono")
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import wave
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from ivr.asterisk.agi_channel import AgiChannel
from ivr.asterisk.agi_result import AgiReply
from ivr.asterisk.errors import AgiCommandFailed, RecordingUnavailable
from ivr.flow import CallerInput
from ivr.speech import Transcript, UtteranceEngine
from ivr.speech.audio import has_speech, read_wav_8k
from ivr.speech.engines import SAMPLE_RATE
from models.reference_audio import SpokenReference

log = logging.getLogger(__name__)
SYSTEM_STATUS = "${SYSTEMSTATUS}"  # System's own result: SUCCESS, FAILURE or APPERROR
UNREADABLE = (OSError, EOFError, wave.Error, ValueError)  # missing, cut short, not 8 kHz


@dataclass(frozen=True)
class Recorded:
    """What one recording held: its words (empty: silent or not transcribed), its length, and
    its WAV bytes when they were to be kept and hold speech."""

    text: Transcript
    seconds: float
    wav: bytes | None = None


class AnswerRecorder:
    """Records answers into ``folder`` and transcribes them (with ``recognizer``, when there
    is one) in a worker pool."""

    def __init__(
        self,
        *,
        folder: str,
        recognizer: UtteranceEngine | None,
        pool: Executor | None = None,
        max_utterance_ms: int = 15000,
    ) -> None:
        self.folder, self._recognizer = folder.rstrip("/"), recognizer
        self._pool, self._max_ms = pool, max_utterance_ms

    async def listen(
        self,
        channel: AgiChannel,
        name: str,
        *,
        tone: str | None,
        transcribe: bool = True,
        keep: bool = False,
    ) -> tuple[str | None, CallerInput | None]:
        """(a key pressed instead, or None; what was heard, or None: ask by keys). With
        ``keep``, a key that ends a recording holding speech comes with it in the input."""
        if tone is not None and (key := await channel.stream_file(tone)):
            return key, None
        base = f"{self.folder}/{name}"
        try:
            key, reply = await self._record(channel, base)
        except RecordingUnavailable:
            log.error("cannot record answers in %s: the caller is asked by keys", self.folder)
            return None, None
        if key is not None and not keep:
            return key, None
        if reply.fields.get("endpos") == "0":  # the caller said nothing: no samples at all
            return _nothing_said(key)
        loop = asyncio.get_running_loop()
        hear = (f"{base}.wav", transcribe, keep)
        recorded = await loop.run_in_executor(self._pool, self._hear, *hear)
        if recorded is None:
            return key, None
        if not recorded.text.text and recorded.wav is None:
            return _nothing_said(key)
        audio = None if recorded.wav is None else SpokenReference(recorded.seconds, recorded.wav)
        return None, CallerInput(
            digits=key,
            speech=recorded.text.text or None,
            speech_confidence=recorded.text.confidence,
            speech_seconds=recorded.seconds,
            audio=audio,
        )

    async def _record(self, channel: AgiChannel, base: str) -> tuple[str | None, AgiReply]:
        try:
            return await channel.record_file(base, timeout_ms=self._max_ms)
        except RecordingUnavailable:
            await self._make_folder(channel)
            return await channel.record_file(base, timeout_ms=self._max_ms)

    async def _make_folder(self, channel: AgiChannel) -> None:
        with contextlib.suppress(AgiCommandFailed):  # System: -1 when it cannot run mkdir
            made = await channel.exec("System", f"mkdir -p {shlex.quote(self.folder)}")
            if made.result == "0" and await channel.get_variable(SYSTEM_STATUS) == "SUCCESS":
                return
        log.warning("Asterisk did not make %s (no app_system?): making it here", self.folder)
        try:
            await asyncio.to_thread(Path(self.folder).mkdir, parents=True, exist_ok=True)
        except OSError:
            log.exception("cannot make the folder of the recorded answers %s", self.folder)

    def _hear(self, path: str, transcribe: bool, keep: bool) -> Recorded | None:
        """What the recording at ``path`` holds (in the worker pool); None when unreadable."""
        try:
            wav = Path(path).read_bytes()
            pcm16 = read_wav_8k(wav)
        except UNREADABLE:
            log.exception("cannot read the recorded answer %s", path)
            return None
        seconds = len(pcm16) / (2 * SAMPLE_RATE)
        if not has_speech(pcm16):  # silence or line noise, on which Whisper invents words
            return Recorded(Transcript(text=""), seconds)
        kept = wav if keep else None
        if self._recognizer is None or not transcribe:
            return Recorded(Transcript(text=""), seconds, kept)
        return Recorded(self._recognizer.transcribe(pcm16), seconds, kept)


def _nothing_said(key: str | None) -> tuple[str | None, CallerInput | None]:
    """A recording with no words in it: the key that ended it, else silence (asked again)."""
    return (key, None) if key else (None, CallerInput(timed_out=True))

"""Audio files Asterisk plays for the flow's prompts.

A prompt whose text does not depend on the call (``menu-principal``) is pre-rendered by
``suac asterisk prompts`` to ``<prompts_dir>/<name>.wav``; a recorded human voice can replace
any such file by name. A prompt with call data in it ("su solicitud está en proceso") is
synthesised once per distinct text into ``<prompts_dir>/dinamicos/`` (the FastAGI server and
Asterisk share that folder), in a worker thread. Synthesis is ``espeak-ng`` in Latin-American
Spanish, converted by ``sox`` to 8 kHz mono 16-bit WAV (Debian packages ``espeak-ng`` and
``sox``).

Digits, numbers and dates are said in the same voice, never with Asterisk's ``SAY`` commands:
those need the Spanish core sounds, and where a server has only the English ones (Debian's
``asterisk`` package) Asterisk falls back to them and reads a folio in English. A folio is read
one file per digit (ten files serve every folio), with a pause between its groups; the tone
before a recorded answer is written here too (Asterisk's ``beep`` is a core sound as well).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from datetime import date
from pathlib import Path

from jinja2 import UndefinedError

from ivr.asterisk import constants
from ivr.asterisk.errors import AsteriskError
from ivr.flow.steps import DateSpoken, Digits, Number, Part, Prompt
from ivr.prompts import PromptBook
from ivr.prompts.spoken import spoken_date, spoken_digits, spoken_number

log = logging.getLogger(__name__)
DYNAMIC = "dinamicos"
TEXT_ONLY_PREFIX = "sms-"  # templates of text messages, never spoken
TONE = "tono"  # played before each recorded answer: "speak now"
PAUSE = Prompt("pausa", ",")  # espeak-ng reads a lone comma as a short pause


class SynthesisUnavailable(AsteriskError):
    """espeak-ng or sox is not installed, or failed."""

    error_id = "prompt-synthesis-unavailable"
    status_code = 503


class Synthesizer:
    """Text → 8 kHz mono 16-bit WAV with espeak-ng and sox."""

    def __init__(self, *, voice: str = "es-419", words_per_minute: int = 150) -> None:
        self.voice, self.words_per_minute = voice, words_per_minute

    def available(self) -> bool:
        """True when both programs are installed."""
        return bool(shutil.which("espeak-ng") and shutil.which("sox"))

    def synthesize(self, text: str, target: Path) -> Path:
        """Write ``target`` (a ``.wav``) speaking ``text``; atomic, so Asterisk never plays half."""
        if not self.available():
            raise SynthesisUnavailable("Instale espeak-ng y sox para generar los audios.")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            raw, converted = Path(folder) / "voz.wav", Path(folder) / "8k.wav"
            try:
                subprocess.run(
                    ["espeak-ng", "-v", self.voice, "-s", str(self.words_per_minute),
                     "-w", str(raw), text],
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
                subprocess.run(
                    ["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16",
                     "-e", "signed-integer", str(converted)],
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
            except (subprocess.SubprocessError, OSError) as error:
                raise SynthesisUnavailable(
                    f"No se pudo sintetizar «{text[:40]}»: {error}"
                ) from error
            shutil.move(converted, target)
        return target


def write_tone(target: Path, *, hertz: int = 1000, seconds: float = 0.25) -> Path:
    """A short sine tone as 8 kHz mono 16-bit WAV (10 ms fades, so it does not click)."""
    count, fade = int(8000 * seconds), 80
    envelope = [12000 * min(1.0, i / fade, (count - i) / fade) for i in range(count)]
    samples = [int(e * math.sin(2 * math.pi * hertz * i / 8000)) for i, e in enumerate(envelope)]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(struct.pack(f"<{count}h", *samples))
    partial.replace(target)
    return target


def spoken_prompts(part: Part, *, today: date | None = None) -> tuple[Prompt, ...]:
    """The prompts that say one part in the project's voice (the words Twilio reads too).

    >>> [p.text for p in spoken_prompts(Digits("2600012349"))][:4]
    ['dos', 'seis', ',', 'cero']
    >>> spoken_prompts(Number(21))
    (Prompt(name='numero', text='veintiuno'),)
    """
    if isinstance(part, Prompt):
        return (part,)
    if isinstance(part, Number):
        return (Prompt("numero", spoken_number(part.value)),)
    if isinstance(part, DateSpoken):
        return (Prompt("fecha", spoken_date(part.value, today=today)),)
    if not isinstance(part, Digits):
        raise TypeError(f"unknown speech part: {part!r}")
    groups = [group.split() for group in spoken_digits(part.value).split(", ")]
    said: list[Prompt] = []
    for group in groups:
        said += [PAUSE] if said else []
        said += [Prompt("digito", word) for word in group]
    return tuple(said)


def spoken_templates(book: PromptBook) -> dict[str, str]:
    """Every voice prompt that needs no call data: name → text."""
    texts = {constants.RECORDING_NOTICE_PROMPT: constants.RECORDING_NOTICE_TEXT}
    for name in book.names():
        if name.startswith(TEXT_ONLY_PREFIX):
            continue
        try:
            texts[name] = book.text(name)
        except UndefinedError:
            continue  # needs call data: synthesised when a call needs it
    return texts


def render_prompts(out: Path, *, book: PromptBook, synthesizer: Synthesizer) -> list[Path]:
    """Pre-render every static voice prompt, and the tone, to ``out/<name>.wav``."""
    return [
        *(
            synthesizer.synthesize(text, out / f"{name}.wav")
            for name, text in spoken_templates(book).items()
        ),
        write_tone(out / f"{TONE}.wav"),
    ]


class PromptAudio:
    """Which file Asterisk plays for a prompt (paths without extension, as AGI wants)."""

    def __init__(self, *, folder: str, book: PromptBook, synthesizer: Synthesizer) -> None:
        self.folder = folder.rstrip("/")
        self._static = spoken_templates(book)
        self._synthesizer = synthesizer

    def static_path(self, name: str) -> str:
        """The pre-rendered file of a static prompt."""
        return f"{self.folder}/{name}"

    def tone_path(self) -> str | None:
        """The tone played before a recorded answer (written here if not pre-rendered); None
        when it cannot be written, so the answer is recorded without it."""
        target = Path(self.folder) / f"{TONE}.wav"
        try:
            if not target.exists():
                write_tone(target)
        except OSError:
            log.exception("cannot write the answer tone %s", target)
            return None
        return self.static_path(TONE)

    async def paths_for(self, part: Part, *, today: date | None = None) -> list[str]:
        """The files that say ``part``, in order (one that cannot be synthesised is left out)."""
        paths = [await self.path_for(prompt) for prompt in spoken_prompts(part, today=today)]
        return [path for path in paths if path is not None]

    async def path_for(self, prompt: Prompt) -> str | None:
        """The file to play; None when a dynamic prompt cannot be synthesised here."""
        if self._static.get(prompt.name) == prompt.text:
            return self.static_path(prompt.name)
        digest = hashlib.sha1(prompt.text.encode()).hexdigest()[:16]
        path = Path(self.folder) / DYNAMIC / f"{prompt.name}-{digest}"
        wav = path.with_suffix(".wav")
        if not wav.exists():
            try:
                await asyncio.to_thread(self._synthesizer.synthesize, prompt.text, wav)
            except SynthesisUnavailable:
                log.exception("cannot play the dynamic prompt %s", prompt.name)
                return None
        return str(path)

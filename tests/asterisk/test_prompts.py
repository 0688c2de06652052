"""Prompt audio for Asterisk: espeak-ng in Spanish, 8 kHz mono 16-bit WAV."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivr.asterisk import constants
from ivr.asterisk.prompt_audio import PromptAudio, Synthesizer, spoken_templates
from ivr.flow.steps import Prompt
from ivr.prompts import PromptBook
from suac.cli import app


@pytest.fixture
def synthesizer() -> Synthesizer:
    synthesizer = Synthesizer()
    if not synthesizer.available():
        pytest.skip("espeak-ng and sox are not installed (apt-get install espeak-ng sox)")
    return synthesizer


def assert_telephone_wav(path: Path) -> None:
    with wave.open(str(path)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (8000, 1, 2)
        assert audio.getnframes() > 8000 * 0.5  # at least half a second of speech


def test_static_voice_prompts_only() -> None:
    texts = spoken_templates(PromptBook())
    assert texts[constants.RECORDING_NOTICE_PROMPT] == constants.RECORDING_NOTICE_TEXT
    assert "menu-principal" in texts and "bienvenida" in texts
    assert not any(name.startswith("sms-") for name in texts)
    assert "estado-situacion" not in texts  # needs the request's status: rendered per call


def test_cli_renders_every_static_prompt(tmp_path: Path, synthesizer: Synthesizer) -> None:
    result = CliRunner().invoke(app, ["asterisk", "prompts", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in tmp_path.glob("*.wav"))
    assert names == sorted([*spoken_templates(PromptBook()), "tono"])
    assert_telephone_wav(tmp_path / "menu-principal.wav")


async def test_dynamic_prompt_is_synthesised_once(tmp_path: Path, synthesizer: Synthesizer) -> None:
    book = PromptBook()
    audio = PromptAudio(folder=str(tmp_path), book=book, synthesizer=synthesizer)
    assert await audio.path_for(book.prompt("menu-principal")) == f"{tmp_path}/menu-principal"
    situation = book.prompt("estado-situacion", estado="en proceso")
    path = await audio.path_for(situation)
    assert path is not None and "/dinamicos/estado-situacion-" in path
    assert_telephone_wav(Path(f"{path}.wav"))
    modified = Path(f"{path}.wav").stat().st_mtime_ns
    assert await audio.path_for(situation) == path
    assert Path(f"{path}.wav").stat().st_mtime_ns == modified


async def test_missing_synthesis_is_logged_not_fatal(tmp_path: Path, monkeypatch, caplog) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path))  # neither espeak-ng nor sox can be found
    audio = PromptAudio(folder=str(tmp_path), book=PromptBook(), synthesizer=Synthesizer())
    assert await audio.path_for(Prompt("estado-situacion", "está en proceso.")) is None
    assert "cannot play the dynamic prompt" in caplog.text

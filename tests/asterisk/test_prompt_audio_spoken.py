"""Digits, numbers, dates and the answer tone in the project's own voice, with real espeak-ng:
what a folio sounds like needs no Asterisk sounds at all."""

from __future__ import annotations

import doctest
import wave
from datetime import date
from pathlib import Path

from ivr.asterisk import prompt_audio
from ivr.asterisk.prompt_audio import PromptAudio, Synthesizer, write_tone
from ivr.flow.steps import DateSpoken, Digits
from ivr.prompts import PromptBook
from ivr.speech.audio import has_speech, read_wav_8k

from .test_prompts import assert_telephone_wav, synthesizer  # noqa: F401  (the espeak fixture)


def test_the_tone_is_a_short_telephone_tone(tmp_path: Path) -> None:
    tone = read_wav_8k(write_tone(tmp_path / "tono.wav"))
    assert has_speech(tone) and len(tone) == 2 * 2000  # a quarter of a second, audible
    assert abs(int.from_bytes(tone[:2], "little", signed=True)) < 200  # faded in: no click


async def test_a_folio_is_ten_digit_files_shared_by_every_folio(
    tmp_path: Path,
    synthesizer: Synthesizer,  # noqa: F811
) -> None:
    audio = PromptAudio(folder=str(tmp_path), book=PromptBook(), synthesizer=synthesizer)
    first = await audio.paths_for(Digits("2600012349"))
    second = await audio.paths_for(Digits("2600098761"))
    assert len(first) == len(second) == 12  # ten digits and two pauses (2-7-1)
    assert first[2] == second[2] and "/dinamicos/pausa-" in first[2]
    digits = set("2600012349") | set("2600098761")
    assert len({*first, *second}) == len(digits) + 1  # one file per digit, and the pause
    for path in {*first, *second}:
        with wave.open(f"{path}.wav") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)


async def test_a_date_is_said_in_spanish(
    tmp_path: Path,
    synthesizer: Synthesizer,  # noqa: F811
) -> None:
    audio = PromptAudio(folder=str(tmp_path), book=PromptBook(), synthesizer=synthesizer)
    [path] = await audio.paths_for(DateSpoken(date(2026, 12, 2)), today=date(2026, 12, 1))
    assert_telephone_wav(Path(f"{path}.wav"))  # "el miércoles dos de diciembre"


def test_the_doctests() -> None:
    assert doctest.testmod(prompt_audio).failed == 0


def test_a_tone_that_cannot_be_written_is_left_out(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    (tmp_path / "voz").write_text("")  # not a folder
    audio = PromptAudio(folder=str(tmp_path / "voz"), book=PromptBook(), synthesizer=Synthesizer())
    assert audio.tone_path() is None and "cannot write the answer tone" in caplog.text
    audio = PromptAudio(folder=str(tmp_path / "otra"), book=PromptBook(), synthesizer=Synthesizer())
    assert audio.tone_path() == f"{tmp_path}/otra/tono"
    assert (tmp_path / "otra" / "tono.wav").exists()

"""The transcript check: what an engine returns that nobody said is not heard; audio with no
speech in it is not sent to an engine."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from ivr.speech.audio import has_speech, read_wav_8k
from ivr.speech.transcript_check import MAX_KEPT_CHARS, check_transcript, is_loop, shortened


@pytest.mark.parametrize(
    "text",
    [
        "La humía, la humía, la humía, la humía, la humía…",
        "Ciudad de México, Ciudad de México, Ciudad de México, Ciudad de México.",
        "hay una fuga de agua en mi calle mi calle mi calle mi calle",
        "gracias gracias gracias gracias gracias gracias",
        "y se cayó el árbol y se cayó el árbol y se cayó el árbol",
        "Fumfumfumfumfumfumfumfumfumfumfumfumfumfum",
    ],
)
def test_a_repetition_loop_is_not_heard(text: str) -> None:
    heard = check_transcript(text, seconds=4)
    assert (heard.text, heard.reason, heard.accepted) == ("", "loop", False)


@pytest.mark.parametrize("text", ["", "   ", "...", "¿?", None])
def test_nothing_is_not_heard(text: str | None) -> None:
    assert check_transcript(text).reason == "empty"


@pytest.mark.parametrize("text", ["eh", "Mmm...", "eh, este, o sea", "Pues… a ver"])
def test_hesitations_alone_are_not_heard(text: str) -> None:
    assert check_transcript(text).reason == "filler"


def test_more_words_than_the_audio_could_hold_are_not_heard() -> None:
    sentence = "quiero reportar que la luminaria de la esquina de mi casa está fundida"
    assert check_transcript(sentence, seconds=1.0).reason == "too-fast"
    assert check_transcript(sentence, seconds=4.0).accepted
    assert check_transcript(sentence).accepted  # duration unknown: not judged on it
    assert check_transcript("sí", seconds=0.2).accepted  # a clipped short answer is heard


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("Hay un bache enorme en la avenida Tláhuac.", 3.0),
        ("no tenemos agua desde el lunes en Iztapalapa", 3.5),
        ("No, no, no.", 1.0),
        ("sí sí", 0.8),
        ("se cayó un árbol en Coyoacán, en la calle Niño Perdido número 1234", 5.0),
        ("mi folio es 2026000001", 3.0),
        ("dos seis cero cero cero cero cero cero uno siete", 5.0),
        ("la calle 5 de mayo, esquina con la 16 de septiembre", 4.0),
        ("ajá", 0.5),
        ("el camión pasa, pasa, pasa y no se lleva la basura", 4.0),
    ],
)
def test_what_people_say_is_heard_as_said(text: str, seconds: float) -> None:
    heard = check_transcript(text, seconds=seconds)
    assert heard.accepted and heard.reason == ""
    assert heard.text == text


def test_spacing_is_tidied_and_a_long_answer_is_cut_at_a_word() -> None:
    assert check_transcript("  hay   un\tbache ").text == "hay un bache"
    assert check_transcript("안녕하세요").accepted  # words in any script (a Korean test model)
    words = [f"palabra{n}" for n in range(400)]
    long = " ".join(words)
    heard = check_transcript(long)
    assert heard.accepted and len(heard.text) <= MAX_KEPT_CHARS
    assert long.startswith(heard.text) and heard.text.split()[-1] in words
    assert shortened("a" * 500) == "a" * MAX_KEPT_CHARS


def test_a_loop_is_a_run_repeated_back_to_back() -> None:
    assert not is_loop(["la", "humia", "la", "esquina", "esta", "fundida", "la", "humia"])
    assert not is_loop(["no", "no", "no"])
    assert is_loop(["no", "no", "no", "no", "no", "no"])
    assert not is_loop(["cero", "cero", "cero", "cero", "cero", "cero", "cero"])
    assert is_loop(list("abcdefgh" * 3))
    assert not is_loop(["jajaja", "ferrocarrilero", "2026000000000001", "cucurrucucu"])


def test_only_audio_with_speech_is_transcribed() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "stt" / "audio" / "synth-es-419"
    assert has_speech(read_wav_8k(shared / "bache.wav"))
    noise = random.Random(7)
    hiss = struct.pack("<8000h", *(int(noise.gauss(0, 300)) for _ in range(8000)))
    assert not has_speech(hiss) and not has_speech(bytes(16000)) and not has_speech(b"")

"""Is a transcript something a caller said? Speech engines also return what nobody said.

Whisper in particular loops on poor audio ("La humía, la humía, la humía…", or its own prompt,
"Ciudad de México, Ciudad de México…", over a one-second "sí") and every engine can return
nothing, a hesitation or far more text than the audio could hold. :func:`check_transcript`
tells the flow to treat such a result as not heard (so the caller is asked again) and trims a
long but plausible one to what the rest of the system keeps::

    >>> check_transcript("La humía, la humía, la humía, la humía.").reason
    'loop'
    >>> check_transcript("Ciudad de México, " * 30, seconds=0.7).reason
    'loop'
    >>> check_transcript("eh... este, mmm").reason
    'filler'
    >>> check_transcript("hay una fuga de agua en la calle número 12", seconds=0.5).reason
    'too-fast'
    >>> check_transcript("  No, no, no.  ").text
    'No, no, no.'

Pure functions: no engine, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ivr.classifier.numbers import word_number

MAX_LETTERS_PER_SECOND = 20.0
"""Letters (and digits) per second of audio beyond any speaker: read speech is ~9 (measured on
the VoxForge Mexican sentences, pauses included), fast talk about 15."""
LETTER_ALLOWANCE = 10
"""Letters always allowed, so a "sí" clipped to a fraction of a second is still heard."""
MAX_KEPT_CHARS = 400
"""What is kept of a long answer (about 25 s of speech; a reference holds 500 characters and
the classifier reads up to 1,000)."""
MAX_LOOP_UNIT = 8
"""The longest run of words whose repetition is looked for."""
LOOP_REPEATS = 3
LOOP_WORDS = 6
"""A loop is a run of words repeated back to back at least ``LOOP_REPEATS`` times over at least
``LOOP_WORDS`` words: "no, no, no" is an answer, "la humía" three times is not."""
STUTTER_LETTERS = 12
"""Or a few letters repeated inside one word over at least this many ("fumfumfumfum…")."""
FILLERS = frozenset(
    {"eh", "ehh", "em", "emm", "ehm", "mm", "mmm", "hm", "hmm", "um", "uh", "ah", "ahh", "oh"}
    | {"este", "pues", "o", "sea", "a", "ver"}
)
"""Hesitations that on their own say nothing ("eh, este…", "o sea", "a ver")."""


_WORD = re.compile(r"[^\W_]+")
_STUTTER = re.compile(r"([^\W\d_]{2,8}?)\1{3,}")


@dataclass(frozen=True)
class Heard:
    """The transcript to use (empty when not heard) and, if not heard, why."""

    text: str
    reason: str = ""

    @property
    def accepted(self) -> bool:
        """True when the caller said something the flow should read."""
        return not self.reason


def check_transcript(text: str | None, *, seconds: float | None = None) -> Heard:
    """Judge what an engine heard in at most ``seconds`` of audio (None: unknown, and then
    only loops, hesitations and emptiness are refused)."""
    words = words_of(text or "")
    if not words:
        return Heard("", "empty")
    if all(word in FILLERS for word in words):
        return Heard("", "filler")
    if is_loop(words):
        return Heard("", "loop")
    letters = sum(len(word) for word in words)
    if seconds is not None and letters > MAX_LETTERS_PER_SECOND * seconds + LETTER_ALLOWANCE:
        return Heard("", "too-fast")
    return Heard(shortened(" ".join((text or "").split())))


def words_of(text: str) -> list[str]:
    """The words of ``text`` in any script, lower case, without accents or punctuation.

    >>> words_of("¿Sí? Ñandú, 12B… 안녕")
    ['si', 'nandu', '12b', '안녕']
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return [unicodedata.normalize("NFC", word) for word in _WORD.findall(bare)]


def is_loop(words: list[str]) -> bool:
    """Whether a run of words (not a number said digit by digit), or a few letters inside a
    word, repeat back to back."""
    for word in words:
        stutter = _STUTTER.search(word)
        if stutter and len(stutter.group(0)) >= STUTTER_LETTERS:
            return True
    for size in range(1, MAX_LOOP_UNIT + 1):
        same = 0  # words equal to the word ``size`` places before, in a row
        for index in range(size, len(words)):
            same = same + 1 if words[index] == words[index - size] else 0
            span = same + size
            looping = span // size >= LOOP_REPEATS and span >= LOOP_WORDS
            if looping and not _numbers(words[index - size + 1 : index + 1]):
                return True
    return False


def _numbers(unit: list[str]) -> bool:
    """True when every word is a number ("cero cero cero…" in a folio)."""
    return all(word.isdigit() or word_number(word) is not None for word in unit)


def shortened(text: str, limit: int = MAX_KEPT_CHARS) -> str:
    """``text`` cut at the last whole word within ``limit`` characters.

    >>> shortened("hay un bache enorme", 12)
    'hay un bache'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:")

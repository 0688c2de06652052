"""Barrios, landmarks and everyday place names that the colonias list lacks.

People say "en Tepito", "por la Villa", "a San Gregorio" or "en el Zócalo", not the colonia's
official name. ``data/landmarks.csv`` maps such names to their alcaldía, and to a colonia of
the colonias list when one is meant ("Tlatelolco" → Nonoalco Tlatelolco). Compiled by hand for
issue 12 from the City's well-known barrios, pueblos, markets, parks, stadiums and monuments
(each checked against its alcaldía); administrators may add rows. A name that begins with an
article is only recognised with it ("la Villa", "la Central"), so ordinary words are not
taken for a place. Rows of kind ``colonia`` give the one colonia everybody means by a name
that several alcaldías' colonias share ("el Centro", "El Rosario"); such a name followed by
"de" or a kind of place names something else ("el centro de salud", "el centro comercial",
"el Centro de Tlalpan"). Names shared
without one clear meaning ("la Morelos", "la Providencia") are left out, so not guessed.

    >>> Landmarks.default().find("venden droga en tepito".split())
    Landmark(name='Tepito', alcaldia='Cuauhtémoc', colonia='Morelos', start=3, end=4)
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.classifier.text import fold, phonetic

LANDMARKS_FILE = Path(__file__).parent / "data" / "landmarks.csv"
_MAX_WORDS = 6
_SHARED_NAME = "colonia"
_OTHER_THING = frozenset(
    {"de", "del", "comercial", "medico", "deportivo", "cultural", "comunitario", "social"}
)


@dataclass(frozen=True)
class Landmark:
    """An everyday place name found in an utterance, at word positions ``start:end``."""

    name: str
    alcaldia: str
    colonia: str | None
    start: int
    end: int


class Landmarks:
    """Lookup of everyday place names by the sound of their words."""

    def __init__(self, rows: Collection[tuple[str, str, str, str]]) -> None:
        self._by_sound = {sound_key(fold(name)): (name, a, c or None) for name, a, c, _ in rows}
        shared = (name for name, _, _, kind in rows if kind == _SHARED_NAME)
        self._shared = frozenset(sound_key(fold(name)) for name in shared)

    @classmethod
    def from_file(cls, path: Path = LANDMARKS_FILE) -> Landmarks:
        """Load a ``nombre,alcaldia,colonia,tipo`` file."""
        with Path(path).open(encoding="utf-8", newline="") as handle:
            read = csv.DictReader(handle)
            rows = [(r["nombre"], r["alcaldia"], r["colonia"], r["tipo"]) for r in read]
        return cls(rows)

    @classmethod
    def default(cls) -> Landmarks:
        """The shipped gazetteer."""
        return cls.from_file(LANDMARKS_FILE)

    def find(self, words: Sequence[str], *, blocked: Collection[int] = ()) -> Landmark | None:
        """The first name said, or a longer one overlapping it ("la Central del Norte"), or
        one as long reaching further ("la Alameda Oriente" is not "la Alameda")."""
        found: list[Landmark] = []
        sounds = [phonetic(word) for word in words]
        for start in range(len(words)):
            for end in range(min(len(words), start + _MAX_WORDS), start, -1):
                if any(i in blocked for i in range(start, end)):
                    continue
                key = " ".join(sounds[start:end])
                hit = self._by_sound.get(key)
                if hit and key in self._shared and set(words[end : end + 1]) & _OTHER_THING:
                    continue
                if hit:
                    found.append(Landmark(*hit, start=start, end=end))
                    break
            if found and start + 1 >= found[0].end:
                break
        return max(found, key=lambda m: (m.end - m.start, m.end), default=None)


def sound_key(phrase: str) -> str:
    """A folded phrase as it sounds: "zocalo" and "socalo" meet."""
    return " ".join(phonetic(word) for word in phrase.split())

"""Metro, Metrobús and Tren Ligero stations said as places: "por el metro Zapata".

People place a problem by the station nearby ("saliendo del metro Tacubaya", "en la estación
Pantitlán", "por el tren ligero Huipulco"). ``data/stations.csv`` (its source in its header)
maps each station to its alcaldía. A station is only read after such a cue, since most
stations share their name with an avenue or a colonia ("en Insurgentes" is the avenue).
The cue itself is a place word only when the station is where the problem is ("afuera del
metro", "por el metro"); "la escalera del metro Zapata" is still about the Metro.

    >>> Stations.default().find("un senor durmiendo afuera del metro pino suarez".split())
    Station(name='Pino Suárez', alcaldia='Cuauhtémoc', cue=5, start=6, end=8, places=True)
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.classifier.landmarks import sound_key
from ivr.classifier.text import fold

STATIONS_FILE = Path(__file__).parent / "data" / "stations.csv"
TRANSIT_CUES = frozenset({"metro", "metrobus", "estacion", "ligero", "paradero"})
_TRANSIT = frozenset({"tren", *TRANSIT_CUES})
_FILLERS = frozenset({"de", "del", "la", "el", "linea", *_TRANSIT})
_AROUND = frozenset(
    {"afuera", "fuera", "saliendo", "junto", "cerca", "frente", "enfrente", "salida", "lado",
     "atras", "por", "alrededor", "entrada", "llegando", "bajando", "rumbo"}
)  # fmt: skip
_LINKS = frozenset({"del", "al", "el", "la", "de"})
_MAX_WORDS = 5


@dataclass(frozen=True)
class Station:
    """A station named at ``start:end`` after its cue, which begins at ``cue``; ``places`` when
    the cue only says where ("afuera del metro"), not what ("el metro no pasa")."""

    name: str
    alcaldia: str
    cue: int
    start: int
    end: int
    places: bool


class Stations:
    """Lookup of station names said after "metro", "estación", "metrobús"…"""

    def __init__(self, rows: Collection[tuple[str, str]]) -> None:
        self._by_sound: dict[str, tuple[str, str]] = {}
        for names, alcaldia in rows:
            spoken = names.split("|")
            for name in spoken:
                self._by_sound.setdefault(sound_key(fold(name)), (spoken[0], alcaldia))

    @classmethod
    def from_file(cls, path: Path = STATIONS_FILE) -> Stations:
        """Load a ``nombre,sistema,alcaldia`` file whose header lines begin with "#"."""
        with Path(path).open(encoding="utf-8", newline="") as handle:
            lines = [line for line in handle if not line.startswith("#")]
        return cls([(r["nombre"], r["alcaldia"]) for r in csv.DictReader(lines)])

    @classmethod
    def default(cls) -> Stations:
        """The shipped stations."""
        return cls.from_file(STATIONS_FILE)

    def find(self, words: Sequence[str], *, blocked: Collection[int] = ()) -> Station | None:
        """The first station named after a transit cue in the folded ``words``."""
        for cue, start in _named_after_cues(words):
            for end in range(min(len(words), start + _MAX_WORDS), start, -1):
                if any(i in blocked for i in range(start, end)):
                    continue
                hit = self._by_sound.get(sound_key(" ".join(words[start:end])))
                if hit:
                    first = _cue_start(words, cue)
                    return Station(*hit, first, start, end, places=_places(words, first))
        return None

    def after_cues(self, words: Sequence[str]) -> list[int]:
        """Where a name said after a transit cue begins: a station this list lacks is often
        named after its colonia ("el metrobús Álamos")."""
        return [start for _, start in _named_after_cues(words)]


def _named_after_cues(words: Sequence[str]) -> list[tuple[int, int]]:
    """``(cue, start)`` of each name said after a transit cue: "estación del metro Hidalgo"."""
    found = []
    for cue, word in enumerate(words):
        if word in TRANSIT_CUES:
            start = cue + 1
            while start < len(words) and words[start] in _FILLERS:
                start += 1
            found.append((cue, start))
    return found


def _cue_start(words: Sequence[str], cue: int) -> int:
    """Where a cue of several words begins: "estación del tren ligero"."""
    while cue >= 1 and words[cue - 1] in _TRANSIT:
        cue -= 1
    if cue >= 2 and words[cue - 1] in ("de", "del") and words[cue - 2] in _TRANSIT:
        return _cue_start(words, cue - 2)
    return cue


def _places(words: Sequence[str], cue: int) -> bool:
    """Whether the cue is said as a place: "afuera del metro", "por el metro"."""
    before = words[cue - 1] if cue >= 1 else ""
    if before in _AROUND:
        return True
    return before in _LINKS and cue >= 2 and words[cue - 2] in _AROUND

"""Finding the place in an utterance: alcaldía, colonia (which implies its alcaldía) and street.

Works on the folded words of the utterance and reports the word positions it used, so the
classifier scores the topic without them ("fuga de agua en Agua Bendita" is about water
once, not twice).

    >>> finder = PlaceFinder.default()
    >>> place = finder.find("hay un bache en la colonia roma".split())
    >>> place.alcaldia, place.colonia, place.source
    ('Cuauhtémoc', 'Roma', 'colonia')
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path

from rapidfuzz import fuzz, process

from ivr.classifier.alcaldias import AlcaldiaMatch, find_alcaldia
from ivr.classifier.streets import find_street
from ivr.classifier.text import phonetic

COLONIAS_FILE = Path(__file__).parent / "data" / "colonias.csv"
COLONIA_CUES = frozenset({"colonia", "col", "barrio", "pueblo", "unidad", "fraccionamiento"})
_ARTICLES = frozenset({"la", "el", "los", "las", "de", "del", "y"})
_LEADS = frozenset({"en", "por", "de"})
_NAHUATL = re.compile(r"tl|tz|x|hu")
_MAX_COLONIA_WORDS = 6
_FUZZY_CUTOFF = 88.0


@dataclass(frozen=True)
class Place:
    """Where the caller says the problem is."""

    alcaldia: str | None = None
    source: str | None = None
    named_alcaldia: str | None = None
    colonia: str | None = None
    colonia_alcaldias: tuple[str, ...] = ()
    contradiction: bool = False
    street: str | None = None
    used: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Colonia:
    name: str
    alcaldias: tuple[str, ...]
    start: int
    end: int


class PlaceFinder:
    """Alcaldía, colonia and street extraction over the shipped colonias catalogue."""

    def __init__(self, colonias: dict[str, list[tuple[str, str]]]) -> None:
        self._colonias = colonias
        self._keys_by_length: dict[int, list[str]] = defaultdict(list)
        for key in colonias:
            self._keys_by_length[key.count(" ")].append(key)
        self._sorted = sorted(colonias)
        self._by_sound = {" ".join(phonetic(w) for w in key.split()): key for key in colonias}

    @classmethod
    def from_file(cls, path: Path = COLONIAS_FILE) -> PlaceFinder:
        """Load a ``key,colonia,alcaldia`` file (see ``build_colonias``)."""
        table: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with Path(path).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                table[row["key"]].append((row["colonia"], row["alcaldia"]))
        return cls(dict(table))

    @classmethod
    def default(cls) -> PlaceFinder:
        """The finder over the shipped colonias file."""
        return cls.from_file(COLONIAS_FILE)

    def find(self, words: Sequence[str], *, ordinary: Container[str] = frozenset()) -> Place:
        """The place in the folded ``words`` of an utterance.

        ``ordinary`` words (the catalogue's vocabulary) are never taken for a colonia named
        after "en la …" without the word "colonia" ("en la Narvarte" is a place, "en la venta
        de alcohol" is not), nor for a street's name.
        """
        street, used = find_street(words, ordinary=ordinary)
        cued = [i + 1 for i, w in enumerate(words) if w in COLONIA_CUES]
        colonia = self._first(words, cued, used, cued=True)
        if colonia:
            used |= set(range(colonia.start - 1, colonia.end))
        named = find_alcaldia(words, blocked=used)
        if named:
            used |= named.positions
        if colonia is None:
            colonia = self._first(words, range(len(words)), used, cued=False, ordinary=ordinary)
            if colonia:
                used |= set(range(colonia.start, colonia.end))
        return _combine(named, colonia, street, used)

    def _first(
        self,
        words: Sequence[str],
        starts: Iterable[int],
        blocked: set[int],
        *,
        cued: bool,
        ordinary: Container[str] = frozenset(),
    ) -> _Colonia | None:
        for start in starts:
            found = self._longest(words, start, blocked, cued=cued, ordinary=ordinary)
            if found:
                return found
        return None

    def _longest(
        self,
        words: Sequence[str],
        start: int,
        blocked: set[int],
        *,
        cued: bool,
        ordinary: Container[str] = frozenset(),
    ) -> _Colonia | None:
        top = min(len(words), start + _MAX_COLONIA_WORDS)
        for end in range(top, start, -1):
            if any(i in blocked for i in range(start, end)):
                continue
            phrase = " ".join(words[start:end])
            key = self._lookup(phrase, fuzzy=cued)
            if key and (cued or _plausible(words, start, end, ordinary)):
                rows = self._colonias[key]
                return _Colonia(rows[0][0], tuple(a for _, a in rows), start, end)
        return None

    def _lookup(self, phrase: str, *, fuzzy: bool) -> str | None:
        if phrase in self._colonias:
            return phrase
        by_sound = self._by_sound.get(" ".join(phonetic(w) for w in phrase.split()))
        if by_sound or not fuzzy or len(phrase) < 5:
            return by_sound
        keys = self._keys_by_length.get(phrase.count(" "), ())
        match = process.extractOne(phrase, keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return match[0] if match else self._prefix(phrase)

    def _prefix(self, phrase: str) -> str | None:
        """The one colonia a cued multi-word phrase begins ("Jardines de San Lorenzo")."""
        if " " not in phrase:
            return None
        start = bisect_left(self._sorted, phrase + " ")
        found = list(takewhile(lambda k: k.startswith(phrase + " "), self._sorted[start:]))
        alcaldias = {a for key in found for _, a in self._colonias[key]}
        return min(found, key=len) if len(alcaldias) == 1 else None


def _plausible(words: Sequence[str], start: int, end: int, ordinary: Container[str]) -> bool:
    """Whether an uncued phrase is a colonia: unmistakable, or extraordinary after "en la"."""
    if _distinctive(words[start:end]):
        return True
    led = start >= 2 and words[start - 2] in _LEADS and words[start - 1] in _ARTICLES
    led = led or (start >= 1 and words[start - 1] in _LEADS and words[start] in _ARTICLES)
    content = [w for w in words[start:end] if w not in _ARTICLES]
    return led and bool(content) and not any(w in ordinary for w in content)


def _distinctive(words: Sequence[str]) -> bool:
    """Whether an uncued phrase is surely a colonia name, not ordinary speech."""
    content = [w for w in words if w not in _ARTICLES]
    if len(content) >= 2:
        return True
    return len(content) == 1 and len(content[0]) >= 7 and bool(_NAHUATL.search(content[0]))


def _combine(
    named: AlcaldiaMatch | None, colonia: _Colonia | None, street: str | None, used: set[int]
) -> Place:
    named_name = named.name if named else None
    used_all = frozenset(used)
    if colonia is None:
        source = "named" if named else None
        return Place(named_name, source, named_name, street=street, used=used_all)
    implied = colonia.alcaldias[0] if len(set(colonia.alcaldias)) == 1 else None
    contradiction = named_name is not None and named_name not in colonia.alcaldias
    alcaldia, source = (named_name, "named") if named_name else (implied, "colonia")
    return Place(
        alcaldia=alcaldia,
        source=source if alcaldia else None,
        named_alcaldia=named_name,
        colonia=colonia.name,
        colonia_alcaldias=tuple(sorted(set(colonia.alcaldias))),
        contradiction=contradiction,
        street=street,
        used=used_all,
    )

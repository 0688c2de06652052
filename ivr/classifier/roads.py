"""Recognising the City's primary roads (vialidades primarias) in what a caller says.

Names are compared word by word after folding (accents, capitals, punctuation), expanding the
usual abbreviations ("Av.", "Calz.", "Ote.") and number words ("Eje cinco Sur"), and dropping
articles ("el Periférico", "Calzada de Tlalpan" = "Calzada Tlalpan"). The longest name wins. A
name right after "calle", "colonia", "privada"… is a secondary street or a neighbourhood that
shares it ("calle Zaragoza", "colonia Insurgentes Mixcoac"), not the primary road.

    >>> roads = PrimaryRoads([("Avenida Insurgentes Norte", ["Insurgentes Norte"]),
    ...                       ("Avenida de los Insurgentes", ["Insurgentes"]),
    ...                       ("Eje 5 Sur", [])])
    >>> roads.find("Avenida Montevideo esquina con Insurgentes Norte").name
    'Avenida Insurgentes Norte'
    >>> roads.find("en el eje cinco sur").name, roads.find("Av. Insurgentes").name
    ('Eje 5 Sur', 'Avenida de los Insurgentes')
    >>> roads.find("colonia Insurgentes Mixcoac") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ivr.classifier.numbers import word_number
from ivr.classifier.text import fold

ABBREVIATIONS = {
    "av": "avenida",
    "avda": "avenida",
    "ave": "avenida",
    "calz": "calzada",
    "blvd": "boulevard",
    "bulevar": "boulevard",
    "prol": "prolongacion",
    "ote": "oriente",
    "pte": "poniente",
    "nte": "norte",
    "circ": "circuito",
    "perif": "periferico",
}
ARTICLES = frozenset({"el", "la", "los", "las", "de", "del", "y"})
# a name after one of these is a secondary street or a neighbourhood of the same name
SECONDARY_CUES = frozenset(
    {
        "calle",
        "privada",
        "cerrada",
        "andador",
        "callejon",
        "retorno",
        "colonia",
        "col",
        "barrio",
        "pueblo",
        "unidad",
        "fraccionamiento",
    }
)


@dataclass(frozen=True)
class RoadMatch:
    """A primary road named in an utterance: its official name and the words that named it."""

    name: str
    said: str


def road_words(text: str) -> list[tuple[int, str]]:
    """The comparable words of ``text`` with their positions among its folded words.

    >>> road_words("Av. del Eje 3 Ote.")
    [(0, 'avenida'), (2, 'eje'), (3, '3'), (4, 'oriente')]
    """
    found = []
    for position, word in enumerate(fold(text).split()):
        if word in ARTICLES:
            continue
        word = ABBREVIATIONS.get(word, word)
        number = word_number(word) if not word.isdigit() else None
        found.append((position, number if number and len(number) <= 2 else word))
    return found


def road_key(text: str) -> tuple[str, ...]:
    """What two ways of saying a road's name share.

    >>> road_key("Eje Cinco Norte") == road_key("Eje 5 Nte.")
    True
    """
    return tuple(word for _, word in road_words(text))


class PrimaryRoads:
    """The road list as a phrase index: each official name and alias → the official name (a
    phrase two roads share belongs to the first one given; the directory gives them by name)."""

    def __init__(self, roads: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._names: dict[tuple[str, ...], str] = {}
        for name, aliases in roads:
            for phrase in (name, *aliases):
                if key := road_key(phrase):
                    self._names.setdefault(key, name)
        self._longest = max((len(key) for key in self._names), default=0)

    def __len__(self) -> int:
        return len(set(self._names.values()))

    def find(self, text: str | None) -> RoadMatch | None:
        """The first primary road named in ``text`` (the longest name at that place)."""
        return next(self.matches(text), None)

    def matches(self, text: str | None) -> Iterator[RoadMatch]:
        """Every primary road named in ``text``, in the order said."""
        folded = fold(text or "").split()
        words = road_words(text or "")
        start = 0
        while start < len(words):
            found = self._longest_at(words, start)
            if found is None:
                start += 1
                continue
            name, end = found
            first, last = words[start][0], words[end - 1][0]
            if not _after_secondary_cue(folded, first):
                yield RoadMatch(name=name, said=" ".join(folded[first : last + 1]))
            start = end

    def _longest_at(self, words: Sequence[tuple[int, str]], start: int) -> tuple[str, int] | None:
        for end in range(min(len(words), start + self._longest), start, -1):
            name = self._names.get(tuple(word for _, word in words[start:end]))
            if name is not None:
                return name, end
        return None


def _after_secondary_cue(folded: Sequence[str], position: int) -> bool:
    """Whether the word before ``position`` (articles skipped) is "calle", "colonia"…"""
    before = position - 1
    while before >= 0 and folded[before] in ARTICLES:
        before -= 1
    return before >= 0 and folded[before] in SECONDARY_CUES

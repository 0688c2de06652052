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
from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz, process

from ivr.classifier.alcaldias import AlcaldiaMatch, find_alcaldia
from ivr.classifier.landmarks import Landmark, Landmarks
from ivr.classifier.stations import Stations
from ivr.classifier.streets import STREET_CUES, find_street
from ivr.classifier.text import fold, phonetic
from models.primary_roads import PRIMARY_ROADS_FILE, read_roads

COLONIAS_FILE = Path(__file__).parent / "data" / "colonias.csv"
COLONIA_CUES = frozenset({"colonia", "col", "barrio", "pueblo", "unidad", "fraccionamiento"})
_ARTICLES = frozenset({"la", "el", "los", "las", "de", "del", "y"})
_CUE_KINDS = frozenset({"habitacional", "hab", "u", "es", "se", "llama"})
_AROUND = frozenset({"rumbo", "rumbos", "cerca", "altura", "lado", "atras", "frente", "espaldas"})
_LEADS = frozenset({"en", "por", "de"})
_FULL_NAME_LEADS = _LEADS | {"a"}
_BARE_LEADS = frozenset({"en", "por", "a"})
_ORDINALS = MappingProxyType(
    {
        **dict.fromkeys(("primera", "primer", "primero", "i"), "1"),
        **dict.fromkeys(("segunda", "segundo", "ii"), "2"),
        **dict.fromkeys(("tercera", "tercer", "tercero", "iii"), "3"),
        **dict.fromkeys(("cuarta", "cuarto", "iv"), "4"),
        **dict.fromkeys(("quinta", "quinto", "v"), "5"),
        **dict.fromkeys(("sexta", "sexto", "vi"), "6"),
        **dict.fromkeys(("septima", "septimo", "vii"), "7"),
        **dict.fromkeys(("octava", "octavo", "viii"), "8"),
        **dict.fromkeys(("novena", "noveno", "ix"), "9"),
        **dict.fromkeys(("decima", "decimo", "x"), "10"),
    }
)
_ORDINAL_ENDINGS = frozenset({"a", "ra", "da", "er", "o", "ro", "do", "ta", "to", "va", "na"})
_PARTIAL_MIN_LENGTH = 5
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
    name: str | None
    alcaldias: tuple[str, ...]
    start: int
    end: int


class PlaceFinder:
    """Alcaldía, colonia and street extraction over the shipped colonias catalogue."""

    def __init__(
        self,
        colonias: dict[str, list[tuple[str, str]]],
        *,
        roads: Iterable[str] = (),
        landmarks: Landmarks | None = None,
        stations: Stations | None = None,
    ) -> None:
        self._colonias = colonias
        self._landmarks = landmarks or Landmarks(())
        self._stations = stations or Stations(())
        self._roads = frozenset(road_words(name) for name in roads)
        self._keys_by_length: dict[int, list[str]] = defaultdict(list)
        for key in colonias:
            self._keys_by_length[key.count(" ")].append(key)
        self._sorted = sorted(colonias)
        self._by_sound = {" ".join(phonetic(w) for w in key.split()): key for key in colonias}
        self._by_section = {section_key(key): key for key in colonias if "seccion" in key}
        self._without_links = _without_links(colonias)
        self._partial = _partial_names(colonias)

    @classmethod
    def from_file(
        cls,
        path: Path = COLONIAS_FILE,
        *,
        roads: Iterable[str] = (),
        landmarks: Landmarks | None = None,
        stations: Stations | None = None,
    ) -> PlaceFinder:
        """Load a ``key,colonia,alcaldia`` file (see ``build_colonias``)."""
        table: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with Path(path).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                table[row["key"]].append((row["colonia"], row["alcaldia"]))
        return cls(dict(table), roads=roads, landmarks=landmarks, stations=stations)

    @classmethod
    def default(cls) -> PlaceFinder:
        """The finder over the shipped colonias, primary roads, everyday place names and
        stations."""
        roads = [n for road in read_roads(PRIMARY_ROADS_FILE) for n in (road.name, *road.aliases)]
        return cls.from_file(
            COLONIAS_FILE, roads=roads, landmarks=Landmarks.default(), stations=Stations.default()
        )

    def find(self, words: Sequence[str], *, ordinary: Container[str] = frozenset()) -> Place:
        """The place in the folded ``words`` of an utterance.

        ``ordinary`` words (the catalogue's vocabulary) are never taken for a colonia named
        after "en la …" without the word "colonia" ("en la Narvarte" is a place, "en la venta
        de alcohol" is not), nor for a street's name.
        """
        station = self._stations.find(words)
        at_station = set(range(station.cue, station.end)) if station else set()
        street, used = find_street(words, ordinary=ordinary)
        if street and (self._colonia_of_street(words, used) or used & at_station):
            street, used = None, set()
        used |= at_station
        cues = [i for i, w in enumerate(words) if w in COLONIA_CUES]
        origins = {start: cue for cue in cues for start in _after_cue(words, cue)}
        origins |= {s: s for s in self._alone(words, ordinary)}
        if station is None:
            origins |= {s: s for s in self._stations.after_cues(words)}
        cued = sorted(origins)
        colonia = self._first(words, cued, used, cued=True, fuzzy=False)
        colonia = colonia or self._first(words, cued, used, cued=True, ordinary=ordinary)
        if colonia:
            colonia = _pueblo(self._landmarks.find(words, blocked=used), colonia) or colonia
            cue = max(origin for start, origin in origins.items() if start <= colonia.start)
            used |= set(range(cue, colonia.end))
        named = _of_which(find_alcaldia(words, blocked=used), words, used)
        if colonia is None:
            colonia = self._first(words, range(len(words)), used, cued=False, ordinary=ordinary)
            if colonia and named and not _wider(colonia, named.positions, words):
                blocked = used | named.positions
                colonia = self._first(
                    words, range(len(words)), blocked, cued=False, ordinary=ordinary
                )
            landmark = self._landmarks.find(words, blocked=used)
            if landmark is None and station:
                landmark = Landmark(station.name, station.alcaldia, None, station.cue, station.end)
            colonia = _preferred(landmark, colonia)
            if colonia:
                used |= set(range(colonia.start, colonia.end))
                if named and named.positions & used:
                    named = find_alcaldia(words, blocked=used)
        if named:
            used |= named.positions
            if colonia and _of_alcaldia(colonia, named, words):
                colonia = None
        if station and not station.places:
            used -= set(range(station.cue, station.start))
        return _combine(named, colonia, street, used)

    def _alone(self, words: Sequence[str], ordinary: Container[str]) -> list[int]:
        """Where a colonia said alone begins, as an answer to "¿en qué colonia?": "la Roma"
        (not a word of the catalogue's: "tránsito")."""
        start = 1 if words[:1] and words[0] in _ARTICLES else 0
        name = words[start:]
        if any(w in ordinary for w in name) or " ".join(name) not in self._colonias:
            return []
        return [start]

    def _first(
        self,
        words: Sequence[str],
        starts: Iterable[int],
        blocked: set[int],
        *,
        cued: bool,
        fuzzy: bool = True,
        ordinary: Container[str] = frozenset(),
    ) -> _Colonia | None:
        """The first colonia named from ``starts``, or a longer one overlapping its end
        ("en la Guadalupe Tepeyac" is not "La Guadalupe")."""

        def at(start: int) -> _Colonia | None:
            return self._longest(
                words, start, blocked, cued=cued, fuzzy=fuzzy and cued, ordinary=ordinary
            )

        for start in starts:
            found = at(start)
            if found:
                later = (at(s) for s in range(start + 1, found.end))
                longer = [c for c in later if c and c.end > found.end]
                return max(longer, key=lambda c: c.end) if longer else found
        return None

    def _longest(
        self,
        words: Sequence[str],
        start: int,
        blocked: set[int],
        *,
        cued: bool,
        fuzzy: bool,
        ordinary: Container[str] = frozenset(),
    ) -> _Colonia | None:
        top = min(len(words), start + _MAX_COLONIA_WORDS)
        for end in range(top, start, -1):
            if any(i in blocked for i in range(start, end)):
                continue
            phrase = " ".join(words[start:end])
            key = self._lookup(phrase, fuzzy=fuzzy)
            if key and key != phrase and _everyday(words[start:end], ordinary):
                continue  # "en el pueblo, la calle está oscura" is no "Las Calles"
            if key and (
                cued
                or _plausible(words, start, end, ordinary, _FULL_NAME_LEADS)
                or self._after_en(words, start, end, ordinary)
            ):
                rows = self._colonias[key]
                return _Colonia(rows[0][0], tuple(a for _, a in rows), start, end)
        partial = (
            None if start in blocked or start >= len(words) else self._partial.get(words[start])
        )
        led = cued or _led(words, start, start + 1, ordinary)
        if partial and (led or self._after_en(words, start, start + 1, ordinary)):
            return _Colonia(partial[0], partial[1], start, start + 1)
        return None

    def _colonia_of_street(self, words: Sequence[str], used: set[int]) -> bool:
        """Whether a "street" is a colonia said after "la calle de la…": "la calle de la
        Guerrero" (or "…de la Cuchilla del Moral") is a street in that colonia, as no
        street's name begins with an article."""
        first = min(used, default=0)
        if words[first + 1 : first + 2] != ["de"] or first + 2 not in used:
            return False
        if words[first + 2] not in ("la", "el", "los", "las"):
            return False
        found = self._longest(words, first + 3, set(), cued=True, fuzzy=False)
        return found is not None and found.end > max(used)

    def _after_en(
        self, words: Sequence[str], start: int, end: int, ordinary: Container[str]
    ) -> bool:
        """A colonia right after "en", "por" or "a" ("en Polanco") or "rumbo de", "cerca de"…,
        unless a primary road's name ("en Insurgentes" is the avenue) or an ordinary word."""
        bare = (
            start >= 1
            and words[start] not in _ARTICLES
            and (
                words[start - 1] in _BARE_LEADS
                or (start >= 2 and words[start - 1] == "de" and words[start - 2] in _AROUND)
            )
        )
        phrase = words[start:end]
        return (
            bare and " ".join(phrase) not in self._roads and not any(w in ordinary for w in phrase)
        )

    def _lookup(self, phrase: str, *, fuzzy: bool) -> str | None:
        if phrase in self._colonias:
            return phrase
        if "seccion" in phrase and section_key(phrase) in self._by_section:
            return self._by_section[section_key(phrase)]
        if phrase in self._without_links:
            return self._without_links[phrase]
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


def _preferred(landmark: Landmark | None, colonia: _Colonia | None) -> _Colonia | None:
    """An everyday place name unless a colonia's name said with it reaches further ("la Villa
    Coapa", "San Miguel Topilejo") or is said apart; a colonia's part ("Tepito" of Jalalpa
    Tepito) gives way, and so does a colonia's name said right before a pueblo's (``_pueblo``)."""
    if landmark is None:
        return colonia
    if colonia is not None and (pueblo := _pueblo(landmark, colonia)):
        return pueblo
    overlap = colonia is not None and colonia.start < landmark.end and landmark.start < colonia.end
    wider = colonia is not None and colonia.end - colonia.start > landmark.end - landmark.start
    if colonia is not None and (not overlap or colonia.end > landmark.end or wider):
        return colonia
    return _Colonia(landmark.colonia, (landmark.alcaldia,), landmark.start, landmark.end)


def _pueblo(landmark: Landmark | None, colonia: _Colonia) -> _Colonia | None:
    """The pueblo whose name a colonia's name said right before it begins ("San Pablo
    Oztotepec" is no San Pablo of Iztapalapa: the saint is the pueblo's own)."""
    if landmark is None or colonia.end != landmark.start:
        return None
    return _Colonia(landmark.colonia, (landmark.alcaldia,), colonia.start, landmark.end)


def _of_which(
    named: AlcaldiaMatch | None, words: Sequence[str], blocked: set[int]
) -> AlcaldiaMatch | None:
    """The alcaldía said after "de" when another's name comes first: in "la Miguel Hidalgo de
    Tlalpan" the first is a colonia named after it, the second the alcaldía."""
    if named is None:
        return None
    after = max(named.positions) + 1
    if words[after : after + 1] not in (["de"], ["del"]):
        return named
    then = find_alcaldia(words, blocked=blocked | set(range(after + 1)))
    return then if then and min(then.positions) <= after + 2 else named


def _of_alcaldia(colonia: _Colonia, named: AlcaldiaMatch, words: Sequence[str]) -> bool:
    """Whether a name shared by several colonias is said of an alcaldía that has none of them:
    "el centro de Coyoacán" is Coyoacán's centre, not the colonia Centro elsewhere."""
    if len(set(colonia.alcaldias)) < 2 or named.name in colonia.alcaldias:
        return False
    return words[colonia.end : colonia.end + 1] in (["de"], ["del"]) and min(named.positions) in (
        colonia.end + 1,
        colonia.end + 2,
    )


def _after_cue(words: Sequence[str], cue: int) -> list[int]:
    """Where a colonia's name may begin after a cue: "unidad de la Agrícola Oriental",
    "unidad habitacional Vicente Guerrero", "mi colonia es la Moctezuma"."""
    starts = [cue + 1]
    while starts[-1] < len(words) and words[starts[-1]] in _ARTICLES | _CUE_KINDS:
        starts.append(starts[-1] + 1)
    return starts


def _everyday(phrase: Sequence[str], ordinary: Container[str]) -> bool:
    """Whether a phrase is only articles and ordinary words, so that a colonia it merely
    resembles is not what was said."""
    content = [w for w in phrase if w not in _ARTICLES]
    return bool(content) and all(w in ordinary for w in content)


def _plausible(
    words: Sequence[str], start: int, end: int, ordinary: Container[str], leads: Container[str]
) -> bool:
    """Whether an uncued phrase is a colonia: unmistakable, or extraordinary after "en la"."""
    return _distinctive(words[start:end]) or _led(words, start, end, ordinary, leads)


def _led(
    words: Sequence[str],
    start: int,
    end: int,
    ordinary: Container[str],
    leads: Container[str] = _LEADS,
) -> bool:
    """Whether words not of the catalogue's vocabulary follow "en la", "por el"… (a whole
    colonia's name may also follow "a la": "rondines a la Tabacalera")."""
    led = start >= 2 and words[start - 2] in leads and words[start - 1] in _ARTICLES
    led = led or (start >= 1 and words[start - 1] in leads and words[start] in _ARTICLES)
    content = [w for w in words[start:end] if w not in _ARTICLES]
    return led and bool(content) and not any(w in ordinary for w in content)


def _distinctive(words: Sequence[str]) -> bool:
    """Whether an uncued phrase is surely a colonia name, not ordinary speech."""
    content = [w for w in words if w not in _ARTICLES]
    if len(content) >= 2:
        return True
    return len(content) == 1 and len(content[0]) >= 7 and bool(_NAHUATL.search(content[0]))


def road_words(name: str) -> str:
    """A road's name as said after "en", without its kind: "Avenida Revolución" → "revolucion"."""
    words = fold(name).split()
    while words and (words[0] in STREET_CUES or words[0] in _ARTICLES):
        words = words[1:]
    return " ".join(words)


def _wider(colonia: _Colonia, positions: frozenset[int], words: Sequence[str]) -> bool:
    """Whether a colonia's name holds an alcaldía's and more ("San Miguel Teotongo")."""
    span = set(range(colonia.start, colonia.end))
    named = {i for i in positions if words[i] not in _ARTICLES}
    return named <= span and len(span) > len(named)


def section_key(phrase: str) -> str:
    """A colonia's name with its section said any way reduced to one form.

    >>> section_key("moctezuma segunda seccion"), section_key("moctezuma 2 a seccion")
    ('moctezuma 2', 'moctezuma 2')
    >>> section_key("polanco ii seccion"), section_key("arenal seccion 4 a")
    ('polanco 2', 'arenal 4')
    """
    result: list[str] = []
    for word in phrase.split():
        if word == "seccion":
            continue
        if word in _ORDINAL_ENDINGS and result and result[-1].isdigit():
            continue
        result.append(_ORDINALS.get(word, word))
    return " ".join(result)


def _without_links(colonias: Collection[str]) -> dict[str, str]:
    """Colonias said without their inner "de", "del", "la"…: "Granjas San Antonio" for
    Granjas de San Antonio, when no other colonia is said the same way."""
    said: dict[str, set[str]] = defaultdict(set)
    for key in colonias:
        words = key.split()
        inner = [w for w in words[1:-1] if w not in _ARTICLES]
        if len(inner) < len(words) - 2 and words[0] not in _ARTICLES:
            said[" ".join([words[0], *inner, words[-1]])].add(key)
    unique = {bare: keys for bare, keys in said.items() if len(keys) == 1}
    return {bare: keys.pop() for bare, keys in unique.items() if bare not in colonias}


def _partial_names(
    colonias: dict[str, list[tuple[str, str]]],
) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """First or last word of a longer colonia name, when it points to one alcaldía only.

    People shorten "Gertrudis Sánchez" to "la Gertrudis" and "Nonoalco Tlatelolco" to
    "Tlatelolco"; a word shared by colonias of several alcaldías ("Lomas") says nothing. The
    colonia is kept when only one bears the word, else only the alcaldía.
    """
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for key, rows in colonias.items():
        content = [w for w in key.split() if w not in _ARTICLES]
        if len(content) < 2:
            continue
        for word in {content[0], content[-1]}:
            if _partial_word(word, colonias):
                found[word].update(rows)
    result = {}
    for word, bearers in found.items():
        alcaldias = {a for _, a in bearers}
        if len(alcaldias) == 1:
            names = {n for n, _ in bearers}
            result[word] = (names.pop() if len(names) == 1 else None, tuple(alcaldias))
    return result


def _partial_word(word: str, colonias: Container[str]) -> bool:
    """Whether a word of a colonia's name may stand for it: not a colonia, alcaldía or ordinal."""
    return (
        len(word) >= _PARTIAL_MIN_LENGTH
        and word.isalpha()
        and word not in colonias
        and word not in _ORDINALS
        and find_alcaldia([word]) is None
    )


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

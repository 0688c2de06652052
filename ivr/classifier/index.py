"""The catalogue as an inverted index of stems, and the query side that resolves words to it.

Each entry's name, synonyms, example phrasings, tema and description are normalised to stems;
a stem's weight in an entry is the weight of the strongest field that has it, and its rarity
across entries (IDF) says how much it tells. A caller's word that is not in the vocabulary is
resolved by its sound key ("vache" → "bache"), by joining it with its neighbour
("a lumbrado" → "alumbrado") or by a ``rapidfuzz`` edit-distance match ("coladeraa").

    >>> index = CatalogueIndex.build([entry])         # doctest: +SKIP
    >>> index.query("se me fue el agua".split()).terms  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process

from ivr.classifier.lexicon import STOPWORDS
from ivr.classifier.numbers import word_number
from ivr.classifier.text import content_words, fold, normalise, phonetic, stem

FIELD_WEIGHTS = MappingProxyType(
    {"name": 1.0, "synonyms": 0.95, "examples": 0.8, "tema": 0.7, "description": 0.25}
)
EXPANSION_WEIGHT = 0.6
LOCATIVE_WEIGHT = 0.5
_LOCATIVE_LEADS = frozenset({"en", "junto", "frente", "afuera", "cerca", "dentro", "enfrente"})
_PLACE_NOUNS = frozenset(
    {"calle", "calles", "cuadra", "esquina", "cruce", "crucero", "avenida", "banqueta",
     "banquetas", "acera", "camellon", "parque", "jardin", "plaza", "glorieta", "puente", "casa",
     "edificio", "unidad", "azotea", "patio", "terreno", "predio", "mercado", "escuela",
     "entrada", "salida", "puerta", "orilla", "departamento", "depa", "parada", "paradero",
     "estacion"}
)  # fmt: skip
"""Where-words: after "en el…", they say where the problem is, not what it is ("en Locatel",
"en el verificentro" still say what)."""
_PARTS = frozenset({"entrada", "salida", "puerta", "parada", "paradero", "esquina", "orilla"})
"""Places that are part of another ("en la entrada de la cochera", "en la parada del micro"):
the whole they belong to is where too."""
_OF = frozenset({"de", "del"})
_CAUSE_LEADS = frozenset({"por", "tras", "despues", "con", "de", "del"})
_EVENTS = frozenset(
    {"inundacion", "inundaciones", "lluvia", "lluvias", "aguacero", "tormenta", "tromba",
     "granizada", "granizo", "sismo", "temblor", "ventarron", "viento", "vientos"}
)  # fmt: skip
"""What happened before: after "por la…", "después de la…", "con el…", "el lodo de la…", the
event says why, not what the caller needs done ("quedó lodo por la inundación" asks for the
mud to go; "se inundó mi casa con la lluvia" still says the flood)."""
_LIKENESS_LEADS = frozenset({"como", "parece"})
_LIKENESSES = frozenset({"rio", "alberca", "laguna", "lago", "cascada", "regadera", "mar"})
"""What a problem is likened to: after "como un…", "parece una…" (or bare, for the few things
water is likened to: "corre como río") the word says how it looks, not what it is ("la calle
queda como alberca" is a flooded street, no pool)."""
_BACKGROUND = MappingProxyType({"place": _PLACE_NOUNS, "event": _EVENTS})
_DETERMINERS = frozenset(
    {"a", "al", "de", "del", "el", "la", "los", "las", "un", "una", "mi", "su", "nuestra"}
)  # fmt: skip
COMMON_SHARE = 0.125
"""A word in more than this share of the entries ("no", "calle", "casa") is common: a
phrasing of common words only is left out of the phrase rerank."""
TRUNCATION = 6
TRUNCATION_WEIGHT = 0.3
_FUZZY_CUTOFF = 80.0
_FUZZY_MIN_LENGTH = 4


class EntryLike(Protocol):
    """What the classifier reads of a catalogue entry (``models.catalogue.CatalogueEntry``)."""

    code: str
    name: str
    tema: str
    description: str
    synonyms: list[str]
    examples: list[str]


@dataclass(frozen=True)
class Term:
    """A query stem resolved to a vocabulary stem, with how sure the resolution is."""

    stem: str
    similarity: float
    weight: float


@dataclass(frozen=True)
class Query:
    """A caller's words resolved against the vocabulary."""

    terms: tuple[Term, ...]
    unknown: tuple[str, ...]
    text: str

    @property
    def empty(self) -> bool:
        """Nothing in it the catalogue knows."""
        return not self.terms


class CatalogueIndex:
    """Postings, IDF and normalised phrases of a catalogue."""

    def __init__(
        self, entries: Sequence[EntryLike], *, priors: Mapping[str, float] | None = None
    ) -> None:
        self.entries = list(entries)
        self.codes = [entry.code for entry in self.entries]
        self.code_order = np.argsort(np.argsort(np.array(self.codes, dtype=object)))
        self.priors = np.array([(priors or {}).get(e.tema, 0.0) for e in self.entries])
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        bigrams: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.phrases: list[list[str]] = []
        surface: dict[str, str] = {}
        for position, entry in enumerate(self.entries):
            weights, pairs, phrases = _entry_features(entry, surface)
            for token, weight in weights.items():
                postings[token].append((position, weight))
            for pair in pairs:
                bigrams[pair].append(position)
            self.phrases.append(phrases)
        self.postings = {
            token: (np.array([p for p, _ in found]), np.array([w for _, w in found]))
            for token, found in postings.items()
        }
        self.bigrams = {pair: np.array(found) for pair, found in bigrams.items()}
        self.tema_postings = _tema_postings(self.entries)
        """Stem → positions of the entries whose official tema's name has it."""
        self.head_postings = _head_postings(self.entries)
        """Stem → positions of the entries of the temas one of whose names begins with it."""
        total = max(len(self.entries), 1)
        self.idf = {
            token: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5))
            for token, p in postings.items()
        }
        self.unknown_mass = sorted(self.idf.values())[len(self.idf) // 2] if self.idf else 1.0
        self.phrases = [[p for p in found if self._telling(p)] for found in self.phrases]
        self.surface = sorted(surface.items())
        self.words = frozenset(surface)
        """Every content word of the catalogue with its stem, sorted (for prefix search)."""
        self._vocabulary = [token for token in self.postings if not token.startswith("~")]
        self._by_sound = {phonetic(t): t for t in sorted(self._vocabulary, key=len, reverse=True)}
        self.resolve = lru_cache(maxsize=32768)(self._resolve)

    def _telling(self, phrase: str) -> bool:
        """Whether a phrasing says enough to stand for its entry in the phrase rerank: one
        left with only common words once its stop-words are gone ("ya no tengo ese número"
        → "no", "número de casa" → "casa") would match whole any utterance that has them."""
        most = max(2.0, COMMON_SHARE * len(self.entries))
        return any(len(self.postings[token][0]) < most for token in phrase.split())

    def query(self, words: Sequence[str]) -> Query:
        """Resolve folded ``words`` (place words already removed) to weighted terms."""
        joined = self._join_split_words(words)
        normalised = normalise(" ".join(joined))
        where = _locative_stems(joined)
        terms: list[Term] = []
        unknown: list[str] = []
        for token in normalised.tokens:
            found = self.resolve(token)
            if found:
                terms.append(Term(found[0], found[1], LOCATIVE_WEIGHT if token in where else 1.0))
            elif not token.isdigit():
                unknown.append(token)
        for token in normalised.expansions:
            found = self.resolve(token)
            if found:
                terms.append(Term(found[0], found[1], EXPANSION_WEIGHT))
        for token in {truncated(t) for t in normalised.tokens} - {""}:
            if token in self.postings:
                terms.append(Term(token, 1.0, TRUNCATION_WEIGHT))
        text = " ".join(t.stem for t in terms if t.weight == 1.0)
        return Query(terms=tuple(terms), unknown=tuple(unknown), text=text)

    def _join_split_words(self, words: Sequence[str]) -> list[str]:
        """Rejoin a word that speech recognition split in two ("a lumbrado", "de sazolve")."""
        joined: list[str] = []
        skip = False
        for first, second in zip(words, [*words[1:], ""], strict=False):
            if skip:
                skip = False
                continue
            merged = stem(first + second)
            # "socio económico" joined, not "de sazolve"; a number is a word ("en tres días")
            known = stem(second) in self.postings or word_number(second) is not None
            split = second and second not in STOPWORDS and (not known or first not in STOPWORDS)
            if split and merged in self.postings:  # never "bache en" → "bacheen"
                joined.append(first + second)
                skip = True
            else:
                joined.append(first)
        return joined

    def _resolve(self, token: str) -> tuple[str, float] | None:
        if token in self.postings:
            return token, 1.0
        sound = self._by_sound.get(phonetic(token))
        if sound:
            return sound, 0.95
        if len(token) < _FUZZY_MIN_LENGTH or token.isdigit():
            return None
        match = process.extractOne(
            token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
        )
        return (match[0], match[1] / 100.0) if match else None


def _locative_stems(words: Sequence[str]) -> frozenset[str]:
    """Stems said only as where the problem is ("un perro muerto en el parque") or why ("lodo
    por la inundación"), not what.

    A place noun ("calle", "parque"…) right after "en", "junto a", "frente a"… is where, and
    so is the whole a part of a place belongs to ("en la entrada de la cochera"); an event
    ("inundación", "lluvia"…) after "por", "después de", "con"… is why. Each still counts, at
    a lower weight, unless the caller also names it as the subject.
    """
    background: set[str] = set()
    what: set[str] = set()
    lead = ""
    for position, word in enumerate(words):
        if lead == "part" and word in _OF:
            lead = "whole"
            continue
        if word in _LIKENESS_LEADS and _likens(words[position + 1 : position + 2]):
            lead = "like"
            continue
        if word in _LOCATIVE_LEADS or word in _CAUSE_LEADS:
            lead = "place" if word in _LOCATIVE_LEADS else "event"
            continue
        if lead and word in _DETERMINERS:
            continue
        stems = {stem(w) for w in content_words(word)}
        inside = lead in ("whole", "like") or word in _BACKGROUND.get(lead, ())
        (background if inside else what).update(stems)
        lead = "part" if lead == "place" and word in _PARTS else ""
    return frozenset(background - what)


def _likens(after: Sequence[str]) -> bool:
    """Whether "como" or "parece" before these words likens ("como un río", "como alberca")
    rather than asks how ("cómo registro…")."""
    return bool(after) and (after[0] in _DETERMINERS or after[0] in _LIKENESSES)


def _tema_postings(entries: Sequence[EntryLike]) -> dict[str, np.ndarray]:
    """Each stem of the official tema names → the positions of the entries in those temas."""
    found: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        for token in set(normalise(entry.tema.replace("/", " ")).tokens):
            found[token].append(position)
    return {token: np.array(positions) for token, positions in found.items()}


def _head_postings(entries: Sequence[EntryLike]) -> dict[str, np.ndarray]:
    """The stem of an entry name's first word, when a content word (what the entry is about:
    "Banqueta rota…", not "Solicitud de agua en pipa") → the positions of its tema's entries.

    Tema-wide, so it decides between temas and leaves the order within one alone.
    """
    temas: dict[str, set[str]] = defaultdict(set)
    members: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        members[entry.tema].append(position)
        first = normalise(fold(entry.name).split()[0]).tokens if entry.name.strip() else ()
        if first:
            temas[first[0]].add(entry.tema)
    return {
        token: np.array(sorted(p for tema in owners for p in members[tema]))
        for token, owners in temas.items()
    }


def _entry_features(
    entry: EntryLike, surface: dict[str, str]
) -> tuple[dict[str, float], set[tuple[str, str]], list[str]]:
    """Stem weights, stem bigrams and normalised phrases of one entry; fills ``surface``."""
    weights: dict[str, float] = {}
    pairs: set[tuple[str, str]] = set()
    phrases: list[str] = []
    for field, weight in FIELD_WEIGHTS.items():
        for phrase in _field_phrases(entry, field):
            normalised = normalise(phrase)
            tokens = normalised.tokens
            surface.update((w, stem(w)) for w in normalised.words)
            for token in tokens:
                weights[token] = max(weights.get(token, 0.0), weight)
                if truncated(token):
                    short = truncated(token)
                    weights[short] = max(weights.get(short, 0.0), weight)
            for token in normalised.expansions:
                weights[token] = max(weights.get(token, 0.0), weight * EXPANSION_WEIGHT)
            pairs.update(zip(tokens, tokens[1:], strict=False))
            if tokens and field != "description":
                phrases.append(" ".join(tokens))
    return weights, pairs, sorted(set(phrases))


def _field_phrases(entry: EntryLike, field: str) -> Iterable[str]:
    value = getattr(entry, field, "") or ""
    if isinstance(value, str):
        return [value.replace("/", " ")]
    return [str(v) for v in value]


def truncated(token: str) -> str:
    """The first letters of a long stem, marked: "construyend" and "construccion" share it."""
    return "~" + token[:TRUNCATION] if len(token) > TRUNCATION else ""

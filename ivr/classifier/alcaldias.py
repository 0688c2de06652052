"""The 16 alcaldías as people say them ("la GAM", "la Venus", "Cuautémoc") and finding one.

>>> find_alcaldia("fuga de agua en ista palapa".split()).name
'Iztapalapa'
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from rapidfuzz import fuzz, process

from ivr.classifier.lexicon import STOPWORDS
from ivr.classifier.text import fold
from models.authorities import ALCALDIAS

_SPOKEN = MappingProxyType(
    {
        "Álvaro Obregón": ("obregon", "la obregon", "alvaro obregon"),
        "Azcapotzalco": ("azcapo", "azca"),
        "Benito Juárez": ("la benito juarez", "la benito", "bj", "la bj", "be jota"),
        "Coyoacán": ("coyo",),
        "Cuajimalpa de Morelos": ("cuajimalpa", "cuaji"),
        "Cuauhtémoc": ("la cuauhtemoc", "cuautemoc", "cuahutemoc"),
        "Gustavo A. Madero": (
            "gam",
            "la gam",
            "gustavo madero",
            "la gustavo",
            "madero",
            "g a m",
            "ge a eme",
        ),
        "Iztacalco": ("ixtacalco",),
        "Iztapalapa": ("iztapa", "ixtapalapa", "la iztapalapa"),
        "La Magdalena Contreras": (
            "magdalena contreras",
            "la magdalena",
            "magdalena",
            "contreras",
            "la contreras",
        ),
        "Miguel Hidalgo": ("la miguel hidalgo", "la miguel"),
        "Milpa Alta": ("milpalta", "la milpa"),
        "Tláhuac": ("tlahuac",),
        "Tlalpan": ("talpan",),
        "Venustiano Carranza": ("venustiano", "la venus", "venus", "carranza", "la venustiano"),
        "Xochimilco": ("xochi", "sochimilco"),
    }
)
_MAX_WORDS = 4
_SAINTS = frozenset({"san", "santa", "santo"})
_FUZZY_CUTOFF = 85.0
_FUZZY_MIN_LENGTH = 6


@dataclass(frozen=True)
class AlcaldiaMatch:
    """An alcaldía named in the utterance and the word positions naming it."""

    name: str
    positions: frozenset[int]


def spoken_names() -> dict[str, str]:
    """Every spoken form, folded and without spaces, to its official alcaldía name."""
    table = {}
    for official in ALCALDIAS:
        for form in (official, *_SPOKEN.get(official, ())):
            table[fold(form).replace(" ", "")] = official
    return table


_TABLE = MappingProxyType(spoken_names())
_LONG_FORMS = tuple(form for form in _TABLE if len(form) >= _FUZZY_MIN_LENGTH)


def find_alcaldia(words: Sequence[str], *, blocked: Collection[int] = ()) -> AlcaldiaMatch | None:
    """The first alcaldía named in the folded ``words``, skipping ``blocked`` positions.

    Longer phrases win over shorter ones at the same position; words split by speech
    recognisers ("ista palapa") are joined; near spellings ("sochimilco") match fuzzily; a
    saint's name is no alcaldía ("San Miguel" is not Miguel Hidalgo).
    """
    for start in range(len(words)):
        if start in blocked or (start and words[start - 1] in _SAINTS):
            continue
        for end in range(min(len(words), start + _MAX_WORDS), start, -1):
            if any(i in blocked for i in range(start, end)):
                continue
            window = words[start:end]
            fuzzy = window[0] not in STOPWORDS and window[-1] not in STOPWORDS
            official = _lookup("".join(window), fuzzy=fuzzy)
            if official:
                return AlcaldiaMatch(official, frozenset(range(start, end)))
    return None


def _lookup(compact: str, *, fuzzy: bool) -> str | None:
    if compact in _TABLE:
        return _TABLE[compact]
    if not fuzzy or len(compact) < _FUZZY_MIN_LENGTH:
        return None
    match = process.extractOne(compact, _LONG_FORMS, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return _TABLE[match[0]] if match else None

"""Authority and unit names as a caller hears them (and a citizen reads them in a message).

A name is said with its article and kind, acronyms expanded, and "de el" / "a el" contracted::

    >>> water = "el Sistema de Aguas de la Ciudad de México"
    >>> names = SpokenNames(authorities={"SACMEX": water}, acronyms={"SACMEX": water})
    >>> names.authority("ALC-GAM", "Gustavo A. Madero", kind="alcaldia")
    'la Alcaldía Gustavo A. Madero'
    >>> names.unit("ALC-GAM", "DGODU", "Dirección General de Obras y Desarrollo Urbano")
    'la Dirección General de Obras y Desarrollo Urbano'
    >>> names.unit("X", "Y", "Enlace de SACMEX (ESA) y del C5")
    'el Enlace del Sistema de Aguas de la Ciudad de México y del ce cinco'

The spoken form comes from the data (``spoken:`` of an authority or unit in
``authorities.yaml``) when there is one, and otherwise from the official name by the rules
below; either way any acronym left is expanded by the data or spelled letter by letter.
The article follows the gender of the name's first noun: a short list of the nouns that
open the City's institution names, then the usual Spanish endings (hand-written: no
maintained library gives the gender of a Spanish noun).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ivr.prompts.spoken import DIGIT_WORDS

ARTICLES = frozenset({"el", "la", "los", "las"})
FEMININE_NOUNS = frozenset(
    {"agencia", "alcaldía", "brigada", "comisión", "consejería", "contraloría", "coordinación",
     "defensoría", "dirección", "división", "fiscalía", "gerencia", "jefatura", "junta",
     "oficina", "procuraduría", "red", "secretaría", "subdirección", "subprocuraduría",
     "subsecretaría", "subtesorería", "tesorería", "unidad", "universidad"}
)  # fmt: skip
MASCULINE_IN_A = frozenset({"sistema", "programa", "día", "mapa"})
FEMININE_ENDINGS = ("ción", "cion", "sión", "sion", "dad", "tad", "tud", "umbre", "ía", "a")
LETTER_NAMES = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "efe", "G": "ge", "H": "hache",
    "I": "i", "J": "jota", "K": "ka", "L": "ele", "M": "eme", "N": "ene", "Ñ": "eñe", "O": "o",
    "P": "pe", "Q": "cu", "R": "erre", "S": "ese", "T": "te", "U": "u", "V": "ve",
    "W": "doble u", "X": "equis", "Y": "i griega", "Z": "zeta",
}  # fmt: skip
WORD = re.compile(r"\w+")
BRACKETED = re.compile(r"\s*\((\w+)\)")
CONTRACTION = re.compile(r"\b(de|De|a|A) el\b")


def is_acronym(word: str) -> bool:
    """Capitals read as letters: ``SACMEX``, ``STyFE``, ``C5`` (not ``A`` nor ``071``)."""
    upper = sum(c.isupper() for c in word)
    digits = sum(c.isdigit() for c in word)
    return upper >= 1 and upper + digits >= 2 and sum(c.islower() for c in word) < upper


def spell(word: str) -> str:
    """An acronym letter by letter in Spanish: ``spell("SSC")`` → ``'ese ese ce'``."""
    names = [
        DIGIT_WORDS[int(c)] if c.isdigit() else LETTER_NAMES.get(c.upper(), c.lower()) for c in word
    ]
    return " ".join(names)


def contract(text: str) -> str:
    """``de el`` → ``del``, ``a el`` → ``al`` (not before a capital: "de El Salvador")."""
    return CONTRACTION.sub(r"\1l", text)


def article(noun: str) -> str:
    """The definite article of an institution's first noun: ``el``, ``la``, ``los``, ``las``."""
    word = noun.lower()
    plural = len(word) > 3 and word.endswith(("as", "os", "es"))
    if plural:
        word = word[:-2] if word.endswith(("ones", "des", "les", "res")) else word[:-1]
    feminine = word in FEMININE_NOUNS or (
        word.endswith(FEMININE_ENDINGS) and word not in MASCULINE_IN_A
    )
    return ("las" if feminine else "los") if plural else ("la" if feminine else "el")


def with_article(name: str) -> str:
    """``name`` preceded by its article (an article already there is kept, in lower case)."""
    first, _, rest = name.strip().partition(" ")
    if first.lower() in ARTICLES:
        return f"{first.lower()} {rest}".strip()
    return f"{article(first)} {name.strip()}"


@dataclass(frozen=True)
class SpokenNames:
    """Spoken forms from the data, and the rules for everything else.

    ``authorities`` and ``units`` are keyed by code, ``short`` holds the shorter forms for
    where room is scarce (an SMS); ``acronyms`` gives the spoken form of an authority's code or
    short name (``SACMEX``, ``STyFE``) where another name mentions it.
    """

    authorities: Mapping[str, str] = field(default_factory=dict)
    short: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[tuple[str, str], str] = field(default_factory=dict)
    acronyms: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> SpokenNames:
        """The ``spoken:`` forms of ``authorities.yaml`` (common alcaldía units for each one)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        authorities: dict[str, str] = {}
        short: dict[str, str] = {}
        units: dict[tuple[str, str], str] = {}
        acronyms: dict[str, str] = {}
        common = data.get("alcaldia_units") or []
        for group, shared in (("alcaldias", common), ("dependencias", [])):
            for spec in data.get(group) or []:
                if spec.get("spoken_short"):
                    short[spec["code"]] = spec["spoken_short"]
                if spec.get("spoken"):
                    authorities[spec["code"]] = spec["spoken"]
                    for word in (spec["code"], spec.get("short_name") or ""):
                        if is_acronym(word):
                            acronyms[word] = spec["spoken"]
                for unit in [*shared, *(spec.get("units") or [])]:
                    if unit.get("spoken"):
                        units[(spec["code"], unit["code"])] = unit["spoken"]
        return cls(authorities=authorities, short=short, units=units, acronyms=acronyms)

    def authority(self, code: str, name: str, *, kind: str = "", short: bool = False) -> str:
        """How authority ``code`` is said: "la Alcaldía Gustavo A. Madero"; ``short``: its
        shorter form where the data has one."""
        spoken = (short and self.short.get(code)) or self.authorities.get(code)
        if spoken is None:
            if kind == "alcaldia" and not name.lower().startswith("alcaldía"):
                name = f"Alcaldía {name}"
            spoken = with_article(name)
        return self.speakable(spoken)

    def unit(self, authority_code: str, code: str, name: str) -> str:
        """How a unit is said: "la Dirección General de Drenaje"."""
        return self.speakable(self.units.get((authority_code, code)) or with_article(name))

    def speakable(self, text: str) -> str:
        """Bracketed acronyms dropped, known ones expanded, the rest spelled; contractions."""
        text = BRACKETED.sub(lambda m: "" if is_acronym(m.group(1)) else m.group(0), text)
        gaps = WORD.split(text)
        found = WORD.findall(text)
        out = [gaps[0]]
        for index, word in enumerate(found):
            if is_acronym(word):
                before = found[index - 1].lower() if index else ""
                word = self._expand(word, after_article=before in ARTICLES)
            out += [word, gaps[index + 1]]
        return contract("".join(out))

    def _expand(self, acronym: str, *, after_article: bool) -> str:
        spoken = self.acronyms.get(acronym)
        if spoken is None:
            return spell(acronym)
        first, _, rest = spoken.partition(" ")
        return rest if after_article and first in ARTICLES else spoken

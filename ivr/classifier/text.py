"""Normalising Spanish as people say it and as speech recognisers write it.

Three layers, each a pure function:

- ``fold``: lower case, accents and punctuation away, ``ñ`` → ``n``, digits split from letters.
- ``stem``: a light Spanish stemmer (plural, gender, diminutive, augmentative) so "baches",
  "bachecito" and "bache" meet; ``phonetic`` a sound key (b/v, s/z/c, y/ll, silent h, qu/k…)
  so "vache" and "bache" meet.
- ``normalise``: the whole chain to the content tokens the scorer uses, with stop-words and
  fillers removed, sound-alikes fixed and colloquialisms expanded.

    >>> normalise("¡Oiga, hay un VACHE enorme!").tokens
    ('bach', 'enorm')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ivr.classifier.lexicon import (
    COLLOQUIAL,
    NAMES,
    PHRASES,
    SOUND_ALIKES,
    STOPWORDS,
    TEXTING,
    WEEKDAYS,
)
from ivr.classifier.numbers import ARTICLES, word_number

_TIME_SPANS = frozenset(
    {"rato", "ratito", "tiempo", "momento", "hora", "horas", "dia", "dias", "semana", "semanas",
     "mes", "meses", "ano", "anos", "varios", "varias"}
)  # fmt: skip
_WHEN_LEADS = frozenset({"el", "los", "desde", "hasta", "cada", "este", "del", "al", "pasado"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DIGIT_LETTER = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_SUFFIXES = (("cit", 4), ("sit", 4), ("it", 4), ("zot", 4), ("sot", 4), ("ot", 3))
_VERB_ENDINGS = ("aron", "ieron", "ando", "iendo")
_PHONETIC_RULES = (
    (re.compile(r"(?<!c)h"), ""),
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"gu(?=[ei])"), "g"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"w"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),
)


def fold(text: str) -> str:
    """Lower case without accents or punctuation, single-spaced.

    >>> fold("¿Dónde está la Coladera?, Ñandú 12B")
    'donde esta la coladera nandu 12 b'
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = _NON_WORD.sub(" ", bare)
    return " ".join(_DIGIT_LETTER.sub(" ", bare).split())


def unabbreviated(words: list[str]) -> list[str]:
    """Folded words with texting forms written out ("q" → "que", "xq" → "porque").

    >>> unabbreviated("ay un bache x mi casa".split())
    ['hay', 'un', 'bache', 'por', 'mi', 'casa']
    """
    return [TEXTING.get(word, word) for word in words]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem of a folded word: plural (nouns and verbs), final vowel, diminutive and
    augmentative ("bachezote") off.

    >>> [stem(w) for w in ("baches", "bache", "arbolitos", "luces", "coladeras", "inundaciones")]
    ['bach', 'bach', 'arbol', 'luz', 'colader', 'inundacion']
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ces") and len(word) > 4:
        return word[:-3] + "z"
    for ending in _VERB_ENDINGS:  # "asaltaron", "rompieron", "brotando": "asalt", "romp", "brot"
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    base = word
    plural = base.endswith("s") and len(base) > 4
    if plural or (base[-2:] in ("an", "en") and len(base) > 5):  # "pasan": "pasa"
        base = base[:-1]
    if base[-1] in "aeo" and len(base) > 3:
        base = base[:-1]
    for suffix, shortest in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= shortest:
            base = base[: -len(suffix)]
            return base[:-1] if base[-1] in "aeo" else base
    return base


@lru_cache(maxsize=65536)
def phonetic(word: str) -> str:
    """A Spanish sound key: words that sound alike share it.

    >>> phonetic("vache") == phonetic("bache"), phonetic("cemaforo") == phonetic("semaforo")
    (True, True)
    """
    key = word
    for pattern, replacement in _PHONETIC_RULES:
        key = pattern.sub(replacement, key)
    return key


@dataclass(frozen=True)
class Normalised:
    """An utterance ready to score: its folded words, content stems and colloquial additions."""

    folded: str
    words: tuple[str, ...]
    tokens: tuple[str, ...]
    expansions: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when nothing meaningful was said."""
        return not self.tokens and not self.expansions


def content_words(folded: str) -> list[str]:
    """The folded words without stop-words, sound-alikes fixed and numbers as digits.

    >>> content_words("llevamos dos semanas con el vache")
    ['2', 'bache']
    """
    words = [_digits(w) or SOUND_ALIKES.get(w, w) for w in folded.split()]
    ago = {i for i, w in enumerate(words) if w == "hace" and _time_follows(words[i + 1 : i + 3])}
    when = {i for i, w in enumerate(words) if w in WEEKDAYS and i and words[i - 1] in _WHEN_LEADS}
    return [w for i, w in enumerate(words) if w not in STOPWORDS and i not in ago | when]


def _time_follows(after: list[str]) -> bool:
    """Whether "hace" before these words means "ago" ("hace una semana", "hace 3 días"), not
    "makes" ("hace ruido", "se hace un charco")."""
    if after[:1] and (after[0].isdigit() or after[0] in ARTICLES):
        after = after[1:]
    return bool(after) and after[0] in _TIME_SPANS


def _digits(word: str) -> str | None:
    """A number word as digits ("doce" → "12"); "un", "una" and "uno" stay articles."""
    return None if word in ARTICLES else word_number(word)


def _colloquial(word: str) -> str:
    """The catalogue meaning of a colloquial word, matched as said or by its stem."""
    return COLLOQUIAL.get(word) or _colloquial_stems().get(stem(word), "")


@lru_cache(maxsize=1)
def _colloquial_stems() -> dict[str, str]:
    return {stem(word): meaning for word, meaning in COLLOQUIAL.items()}


def _is_quantity(word: str) -> bool:
    """One- or two-digit numbers ("dos días", "ruta 14") say how much, not what about."""
    return word.isdigit() and len(word) <= 2


def normalise(text: str) -> Normalised:
    """Fold, drop fillers, fix sound-alikes, stem, and add colloquial meanings.

    >>> n = normalise("la coladera está tapada")
    >>> n.tokens, n.expansions
    (('colader', 'tapad'), ('alcantarill',))
    """
    folded = " ".join(unabbreviated(fold(text).split()))
    padded = f" {folded} "
    named = [word for name, meaning in NAMES if f" {name} " in padded for word in meaning.split()]
    words = content_words(folded) + named
    tokens = tuple(stem(w) for w in words if not _is_quantity(w))
    seen = set(tokens)
    expansions: list[str] = []
    cues = [meaning for cue, meaning in PHRASES if f" {cue} " in padded]
    for meaning in [*cues, *(_colloquial(word) for word in words)]:
        for extra in meaning.split():
            token = stem(extra)
            if token not in seen and extra not in STOPWORDS:
                seen.add(token)
                expansions.append(token)
    return Normalised(
        folded=folded, words=tuple(words), tokens=tokens, expansions=tuple(expansions)
    )

"""Recognising the open data's names however they are spelt: alcaldías and temas.

The published files write one alcaldía several ways (``ALVARO OBREGON``, ``Álvaro Obregón``,
``Cuajimalpa De Morelos``) and sometimes with an accent garbled into ``?`` or mojibake
(``TLÃ¡HUAC``). Names are compared folded: without accents or garbled letters, in capitals,
with single spaces::

    >>> official_alcaldia("CUAJIMALPA DE MORELOS")
    'Cuajimalpa de Morelos'
    >>> official_alcaldia("Tl?huac")
    'Tláhuac'
    >>> fold("Año De Juárez"), fold("A?O DE JUAREZ")
    ('ANO DE JUAREZ', 'AO DE JUAREZ')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from models.authorities import ALCALDIAS

_GARBLED = re.compile(r"[?\ufffd]|Ã.|Â")  # a lost letter, or UTF-8 read as Latin-1
_NOT_WORD = re.compile(r"[^A-Z0-9/]+")
ALIASES = {
    "GAM": "Gustavo A. Madero",
    "MAGDALENA CONTRERAS": "La Magdalena Contreras",
    "CUAJIMALPA": "Cuajimalpa de Morelos",
}
CLOSE_ENOUGH = 0.85  # difflib's ratio for a name written slightly wrong


def fold(text: str) -> str:
    """``text`` in capitals without accents nor garbled letters, with single spaces."""
    text = _GARBLED.sub("", text)
    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return " ".join(_NOT_WORD.sub(" ", bare.upper()).split())


def name_index(names: Iterable[str]) -> dict[str, str]:
    """``names`` keyed by their folded spelling, for :func:`closest`."""
    return {fold(name): name for name in names}


_ALCALDIAS = name_index(ALCALDIAS) | {fold(alias): name for alias, name in ALIASES.items()}


def closest(text: str, names: dict[str, str]) -> str | None:
    """The name among ``names`` (folded → name) that ``text`` spells, exactly or nearly."""
    key = fold(text)
    if not key:
        return None
    if key in names:
        return names[key]
    near = difflib.get_close_matches(key, names, n=1, cutoff=CLOSE_ENOUGH)
    return names[near[0]] if near else None


def official_alcaldia(text: str) -> str | None:
    """The official name of the alcaldía ``text`` spells (see :data:`ALCALDIAS`), or None."""
    return closest(text, _ALCALDIAS)

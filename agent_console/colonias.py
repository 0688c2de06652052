"""The City's colonias by alcaldía, for the capture form's colonia field: the list of an
alcaldía, search as one types, and the check that a typed colonia is in the alcaldía.

It reads the classifier's shipped ``colonias.csv`` (key, name, alcaldía), so the form and the
IVR know the same places::

    >>> directory = ColoniaDirectory.default()
    >>> directory.canonical("Cuauhtémoc", "roma norte"), directory.canonical("Tlalpan", "Roma")
    ('Roma Norte', None)
    >>> directory.alcaldias_of("centro")
    ['Cuauhtémoc', 'Milpa Alta']
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

from ivr.classifier.places import COLONIAS_FILE
from ivr.classifier.text import fold


class ColoniaDirectory:
    """Colonias by alcaldía, looked up without accents or case."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self._by_alcaldia: dict[str, dict[str, str]] = defaultdict(dict)
        self._alcaldias: dict[str, list[str]] = defaultdict(list)
        for key, name, alcaldia in rows:
            self._by_alcaldia[alcaldia][key] = name
            self._alcaldias[key].append(alcaldia)

    @classmethod
    @cache
    def default(cls, path: Path = COLONIAS_FILE) -> ColoniaDirectory:
        """The directory of the shipped file (read once per process)."""
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [(r["key"], r["colonia"], r["alcaldia"]) for r in csv.DictReader(handle)]
        return cls(rows)

    def names(self, alcaldia: str) -> list[str]:
        """Every colonia of ``alcaldia``, in alphabetical order."""
        return sorted(self._by_alcaldia.get(alcaldia, {}).values(), key=fold)

    def canonical(self, alcaldia: str, typed: str) -> str | None:
        """The colonia's official name when ``typed`` names one in ``alcaldia``."""
        return self._by_alcaldia.get(alcaldia, {}).get(fold(typed))

    def alcaldias_of(self, typed: str) -> list[str]:
        """The alcaldías that have a colonia called ``typed``."""
        return sorted(self._alcaldias.get(fold(typed), []))

    def search(self, alcaldia: str, text: str, *, limit: int = 20) -> list[str]:
        """Colonias of ``alcaldia`` whose name starts with ``text`` first, then contain it."""
        query = fold(text)
        colonias = self._by_alcaldia.get(alcaldia, {})
        starts = sorted(name for key, name in colonias.items() if key.startswith(query))
        inside = sorted(
            name for key, name in colonias.items() if query in key and not key.startswith(query)
        )
        return (starts + inside)[:limit]

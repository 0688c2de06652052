"""Derive the compact colonias file the classifier ships from the City's colonias catalogue.

Production has no ``../shared``; the classifier reads ``ivr/classifier/data/colonias.csv``
(columns ``key,colonia,alcaldia``: folded spoken form, display name, official alcaldía). Each
colonia contributes its full name and the shorter forms people say: "Roma" for "Roma Norte",
"San Gregorio Atlapulco" for "Pueblo San Gregorio Atlapulco", "Lindavista" for "Lindavista
Vallejo 2a Sección". Regenerate after the City updates its catalogue::

    python -m ivr.classifier.build_colonias ../shared/data/cdmx/colonias.csv
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ivr.classifier.text import fold
from models.authorities import ALCALDIAS

DEFAULT_OUTPUT = Path(__file__).parent / "data" / "colonias.csv"
_EXPANSIONS = {"ampl": "ampliacion", "sn": "san", "sta": "santa", "secc": "seccion"}
_PREFIX = re.compile(r"^(pueblo|barrio|u hab|unidad habitacional|fracc) ")
_ROMAN = "i|ii|iii|iv|v|vi"
_QUALIFIER = re.compile(
    rf" (norte|sur|oriente|poniente|centro|{_ROMAN}|\d+)$"
    rf"|( ({_ROMAN}|\d+)( (a|ra|o|er|da))?)? seccion( \w+)?$"
)
_ACCENTS = {
    "Alvaro": "Álvaro",
    "Agricola": "Agrícola",
    "Ampliacion": "Ampliación",
    "Concepcion": "Concepción",
    "Asuncion": "Asunción",
    "Jesus": "Jesús",
    "Jose": "José",
    "Maria": "María",
    "Andres": "Andrés",
    "Tomas": "Tomás",
    "Simon": "Simón",
    "Juarez": "Juárez",
    "Lopez": "López",
    "Martin": "Martín",
    "Seccion": "Sección",
    "Hipodromo": "Hipódromo",
    "Culhuacan": "Culhuacán",
    "Aragon": "Aragón",
    "Coyoacan": "Coyoacán",
    "Tlahuac": "Tláhuac",
    "Obregon": "Obregón",
}


def display(name: str) -> str:
    """A readable colonia name: "AMPLIACION DEL GAS" → "Ampliación del Gas"."""
    small = {"de", "del", "la", "las", "los", "el", "y"}
    words = []
    for index, word in enumerate(name.lower().split()):
        titled = word if (index and word in small) else word.capitalize()
        titled = titled.upper() if word in _ROMAN.split("|") else titled
        words.append(_ACCENTS.get(titled, titled))
    return " ".join(words)


def spoken_forms(name: str) -> Iterator[str]:
    """The folded full name and the shorter forms a caller uses for it."""
    key = " ".join(_EXPANSIONS.get(word, word) for word in fold(name).split())
    yield key
    for candidate in {_PREFIX.sub("", key), _QUALIFIER.sub("", key)}:
        shorter = _QUALIFIER.sub("", _QUALIFIER.sub("", _PREFIX.sub("", candidate)))
        for form in (candidate, shorter):
            if form != key and any(len(w) >= 4 and w.isalpha() for w in form.split()):
                yield form


def derive(rows: Iterable[dict[str, str]]) -> list[tuple[str, str, str]]:
    """``(key, colonia, alcaldía)`` rows, sorted and without repeats."""
    official = {fold(name): name for name in ALCALDIAS}
    result: set[tuple[str, str, str]] = set()
    for row in rows:
        alcaldia = official[fold(row["alc"])]
        words = {fold(word): word.strip("()[],") for word in row["colonia"].split()}
        for form in spoken_forms(row["colonia"]):
            spoken = " ".join(words.get(word, word) for word in form.split())
            result.add((form, display(spoken), alcaldia))
    return sorted(result)


def main(argv: list[str] | None = None) -> None:
    """Read the City's CSV and write the compact file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with args.source.open(encoding="utf-8-sig", newline="") as handle:
        rows = derive(csv.DictReader(handle))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("key", "colonia", "alcaldia"))
        writer.writerows(rows)
    print(f"{len(rows)} formas de {args.source} → {args.output}")


if __name__ == "__main__":
    main()

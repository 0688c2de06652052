"""Derive the compact data files the classifier ships from the City's open data.

Production has no ``../shared``, so the classifier reads two small files of its own:

- ``data/colonias.csv`` (``key,colonia,alcaldia``: folded spoken form, display name, official
  alcaldía) from the City's colonias catalogue. Each colonia contributes its full name and the
  shorter forms people say: "Roma" for "Roma Norte", "San Gregorio Atlapulco" for "Pueblo San
  Gregorio Atlapulco", "Lindavista Vallejo" for "Lindavista Vallejo 2a Sección".
- ``data/temas.csv`` (``tema,volumen_2024``): how many requests each official tema received in
  2024, the prior that breaks near ties towards what callers bring most.

Regenerate after the City updates its data::

    python -m ivr.classifier.build_data ../shared/data/cdmx
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz, process

from ivr.classifier.text import fold
from models.authorities import ALCALDIAS

DATA = Path(__file__).parent / "data"
TEMAS_FILE = Path(__file__).resolve().parents[2] / "models" / "data" / "temas_0311.txt"
_EXPANSIONS = MappingProxyType(
    {"ampl": "ampliacion", "sn": "san", "sta": "santa", "secc": "seccion"}
)
_PREFIX = re.compile(r"^(pueblo|barrio|u hab|unidad habitacional|unidad|fracc) ")
_ORDINAL = r"\d+ (a|ra|da|er|o|va)"
_EXTENSION = re.compile(rf"^(({_ORDINAL} )?ampliacion|ampliacion ({_ORDINAL}|i|ii|iii)) ")
_ROMAN = "i|ii|iii|iv|v|vi"
_QUALIFIER = re.compile(
    rf" (norte|sur|oriente|poniente|centro|{_ROMAN}|\d+)$"
    rf"|( ({_ROMAN}|\d+)( (a|ra|o|er|da))?)? seccion( \w+)?$"
)
_ACCENTS = MappingProxyType(
    {
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
)


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
    """``(key, colonia, alcaldía)`` rows, sorted and without repeats.

    An extension said without its "ampliación" ("la Casas Alemán" for Ampliación Casas
    Alemán) is kept only when no other colonia's name is, begins or ends with that name.
    """
    official = {fold(name): name for name in ALCALDIAS}
    result: set[tuple[str, str, str]] = set()
    extensions: list[tuple[str, str, str]] = []
    for row in rows:
        alcaldia = official[fold(row["alc"])]
        words = {fold(word): word.strip("()[],") for word in row["colonia"].split()}
        for form in spoken_forms(row["colonia"]):
            spoken = display(" ".join(words.get(word, word) for word in form.split()))
            result.add((form, spoken, alcaldia))
            bare = _EXTENSION.sub("", form)
            if bare != form and any(len(w) >= 4 and w.isalpha() for w in bare.split()):
                extensions.append((bare, spoken, alcaldia))
    names = {key for key, _, _ in result if not _EXTENSION.match(key)}
    result.update(row for row in extensions if not _shadows(row[0], names))
    return sorted(result)


def _shadows(bare: str, names: Iterable[str]) -> bool:
    """Whether a name is also another colonia's, or begins or ends one ("Jalalpa")."""
    return any(n == bare or n.startswith(f"{bare} ") or n.endswith(f" {bare}") for n in names)


def tema_volumes(rows: Iterable[dict[str, str]], temas: Iterable[str]) -> list[tuple[str, int]]:
    """``(official tema, 2024 volume)`` for every tema; spelled differently in the two sources."""
    volumes = {fold(r["tema"]): int(r["total_incidencias"]) for r in rows}
    result = []
    for tema in temas:
        match = process.extractOne(fold(tema), list(volumes), scorer=fuzz.ratio, score_cutoff=90)
        result.append((tema, volumes[match[0]] if match else 0))
    return result


def _write(path: Path, header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> int:
    rows = list(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str] | None = None) -> None:
    """Read the City's files and write the compact ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with colonias.csv, 0311_temas_2024.csv")
    parser.add_argument("--output", type=Path, default=DATA)
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    colonias = derive(_read(args.source / "colonias.csv"))
    count = _write(args.output / "colonias.csv", ("key", "colonia", "alcaldia"), colonias)
    print(f"{count} formas de colonias → {args.output / 'colonias.csv'}")
    official = [t.strip() for t in TEMAS_FILE.read_text(encoding="utf-8").splitlines() if t.strip()]
    volumes = tema_volumes(_read(args.source / "0311_temas_2024.csv"), [*official, "OTRO"])
    count = _write(args.output / "temas.csv", ("tema", "volumen_2024"), volumes)
    print(f"{count} temas → {args.output / 'temas.csv'}")


if __name__ == "__main__":
    main()

"""Catalogue entries read straight from a catalogue CSV (the shipped ``catalogue.csv``), without a
database: for the tema model's training, the evaluation and the benchmarks."""

from __future__ import annotations

import csv
from pathlib import Path

from models.catalogue import CatalogueEntry


def read_catalogue_csv(path: Path) -> list[CatalogueEntry]:
    """Catalogue entries straight from a catalogue CSV, without a database."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return [
            CatalogueEntry(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                tema=row["tema"],
                description=row.get("description") or "",
                synonyms=_split(row.get("synonyms") or ""),
                examples=_split(row.get("examples") or ""),
                authority=row["authority"],
                unit=row["unit"],
            )
            for row in csv.DictReader(handle)
        ]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]

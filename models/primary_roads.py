"""The City's primary roads (vialidades primarias): a request on one goes to the catalogue
entry's primary-road authority (see :mod:`models.routing`).

Shipped as ``models/data/primary_roads.csv`` (its header names the source), seeded into an
empty table, then kept by administrators (``/admin/vias``). Every change stages
``ReferenceDataChanged`` so running IVR processes reload the list::

    >>> read_roads(PRIMARY_ROADS_FILE)[0].name
    'Anillo Periférico'
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Column, Engine, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.catalogue_import import Stage
from models.db import session_scope
from models.db_types import UTCDateTime, utcnow
from models.events import ReferenceDataChanged

PRIMARY_ROADS_FILE = Path(__file__).parent / "data" / "primary_roads.csv"
MAX_NAME = 120
ALIAS_SEPARATOR = ";"


class InvalidRoad(ValueError):
    """A road an administrator cannot add or change, with the reason in Spanish."""

    error_id = "invalid-road"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrimaryRoad(SQLModel, table=True):
    """One primary road: its official name and the ways people say it."""

    __tablename__ = "primary_road"

    name: str = Field(primary_key=True, max_length=MAX_NAME)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def parse_aliases(text: str) -> list[str]:
    """Aliases typed or stored as one text, separated by ";" (blanks and repeats dropped).

    >>> parse_aliases(" Periférico ; el Periférico;; Periférico")
    ['Periférico', 'el Periférico']
    """
    cleaned = (" ".join(part.split()) for part in text.split(ALIAS_SEPARATOR))
    return list(dict.fromkeys(alias[:MAX_NAME] for alias in cleaned if alias))


def read_roads(path: Path) -> list[PrimaryRoad]:
    """The roads of a ``nombre,alias`` file whose lines starting with "#" are comments."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        PrimaryRoad(name=row["nombre"].strip(), aliases=parse_aliases(row["alias"] or ""))
        for row in csv.DictReader(lines)
    ]


def all_roads(session: Session) -> list[PrimaryRoad]:
    """Every road, by name."""
    return list(session.exec(select(PrimaryRoad).order_by(col(PrimaryRoad.name))))


def seed_roads(engine: Engine, path: Path = PRIMARY_ROADS_FILE) -> int:
    """Load the shipped list into an empty table; returns how many roads were added."""
    with session_scope(engine) as session:
        if session.exec(select(func.count()).select_from(PrimaryRoad)).one():
            return 0
        roads = read_roads(path)
        session.add_all(roads)
    return len(roads)


def add_road(session: Session, name: str, aliases: list[str], stage: Stage) -> PrimaryRoad:
    """Add a road (its name cleaned of extra spaces), refusing an empty or repeated name."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidRoad(f"Escriba el nombre oficial de la vía (hasta {MAX_NAME} caracteres).")
    if session.get(PrimaryRoad, name) is not None:
        raise InvalidRoad(f"La vía «{name}» ya está en la lista.")
    road = PrimaryRoad(name=name, aliases=aliases)
    session.add(road)
    stage(session, ReferenceDataChanged(what="primary_roads"))
    return road


def set_aliases(session: Session, name: str, aliases: list[str], stage: Stage) -> PrimaryRoad:
    """Replace a road's aliases."""
    road = _existing(session, name)
    road.aliases, road.updated_at = aliases, utcnow()
    session.add(road)
    stage(session, ReferenceDataChanged(what="primary_roads"))
    return road


def remove_road(session: Session, name: str, stage: Stage) -> None:
    """Take a road off the list (requests already registered keep their road class)."""
    session.delete(_existing(session, name))
    stage(session, ReferenceDataChanged(what="primary_roads"))


def _existing(session: Session, name: str) -> PrimaryRoad:
    road = session.get(PrimaryRoad, name)
    if road is None:
        raise InvalidRoad(f"La vía «{name}» no está en la lista.")
    return road

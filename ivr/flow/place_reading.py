"""Reading the place out of what the caller said: the street, the colonia, and whether the
problem is on one of the City's primary roads (which sends it to the catalogue entry's
primary-road authority, see :mod:`models.routing`).

The reference ("Avenida Montevideo esquina con Insurgentes Norte") is read first, then the
description ("hay un bache en el Periférico"). A colonia is only taken when it lies in the
call's alcaldía (a contradiction is the alcaldía step's to ask about, not this one's to store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.classifier.roads import ARTICLES, PrimaryRoads, RoadMatch, road_key
from ivr.classifier.text import fold
from ivr.flow.directory import Directory
from ivr.flow.state import CallState
from models.requests import RoadClass

_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_CORNER = "esquina "


@dataclass(frozen=True)
class PlaceRead:
    """What the spoken words say about the place."""

    street: str | None = None
    colonia: str | None = None
    road_class: RoadClass | None = None


async def read_place(directory: Directory, state: CallState) -> PlaceRead:
    """The street, colonia and road class that the reference (or description) names."""
    roads = await directory.primary_roads()
    said = state.reference or state.description
    place = directory.places.find(fold(said).split())
    road = _road(roads, state.reference, place.colonia)
    road = road or _road(roads, state.description, state.colonia)  # its colonia, if any
    street = spelled(said, place.street) if place.street else None
    if road is not None and (street is None or road_key(street) == road_key(road.name)):
        street = road.name  # "eje cinco norte" is written "Eje 5 Norte"
    colonia = state.colonia
    if colonia is None and (state.alcaldia is None or state.alcaldia in place.colonia_alcaldias):
        colonia = place.colonia
    road_class = RoadClass.PRIMARY if road else RoadClass.SECONDARY if street else None
    return PlaceRead(street=street, colonia=colonia, road_class=road_class)


def _road(roads: PrimaryRoads, said: str | None, colonia: str | None) -> RoadMatch | None:
    """The first road named in ``said`` that is not part of the name of the ``colonia`` found
    in it ("Guadalupe Insurgentes" is a colonia; "Insurgentes" alone is the avenue)."""
    within = f" {fold(colonia)} " if colonia else ""
    for road in roads.matches(said):
        if f" {road.said} " not in within or within.strip() == road.said:
            return road
    return None


def spelled(said: str, street: str) -> str:
    """A street found among folded words, spelt as the caller's transcript has it.

    >>> spelled("bache en avenida Tláhuac, por favor", "Avenida Tlahuac")
    'Avenida Tláhuac'
    >>> spelled("frente al 12 de la esquina con Xola", "Esquina Xola")
    'Xola'
    """
    wanted = fold(street)
    if wanted.startswith(_CORNER):  # "esquina con Xola": the street is Xola
        wanted = wanted.removeprefix(_CORNER)
    tokens = _TOKEN.findall(said)
    folded = [fold(token) for token in tokens]
    size = len(wanted.split())
    for start in range(len(folded) - size + 1):
        if " ".join(folded[start : start + size]) == wanted:
            return " ".join(_capital(t) for t in tokens[start : start + size])
    return " ".join(_capital(word) for word in wanted.split())


def _capital(word: str) -> str:
    return word.lower() if fold(word) in ARTICLES else word[:1].upper() + word[1:]

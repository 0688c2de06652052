"""Routing: catalogue entry + place → the competent authority and administrative unit.

Example::

    >>> entry = CatalogueEntry(code="VIA-001", name="Bache", kind="servicio", tema="BACHEO",
    ...     authority="ALCALDIA", unit="DGODU", primary_road_authority="SOBSE",
    ...     primary_road_unit="DGOIV")
    >>> route(entry, alcaldia="Iztapalapa", road_class=RoadClass.PRIMARY)
    Route(authority_code='SOBSE', unit_code='DGOIV')
    >>> route(entry, alcaldia="Iztapalapa", road_class=None)
    Route(authority_code='ALC-IZP', unit_code='DGODU')
"""

from __future__ import annotations

from typing import NamedTuple

from models.authorities import ALCALDIAS
from models.catalogue import ALCALDIA_ROUTE, CatalogueEntry
from models.requests import RoadClass

ALCALDIA_CODES: dict[str, str] = dict(
    zip(
        ALCALDIAS,
        (
            "ALC-AO",
            "ALC-AZC",
            "ALC-BJ",
            "ALC-COY",
            "ALC-CUJ",
            "ALC-CUH",
            "ALC-GAM",
            "ALC-IZC",
            "ALC-IZP",
            "ALC-MC",
            "ALC-MH",
            "ALC-MA",
            "ALC-TLH",
            "ALC-TLP",
            "ALC-VC",
            "ALC-XOC",
        ),
        strict=True,
    )
)


class Route(NamedTuple):
    """Who must answer."""

    authority_code: str
    unit_code: str


def route(
    entry: CatalogueEntry, *, alcaldia: str | None, road_class: RoadClass | None
) -> Route | None:
    """The competent authority for ``entry`` at the place, or None when the place is missing.

    A rule on both (primary road versus secondary street) applies only when the road class
    is known to be primary; otherwise the entry's ordinary rule applies.
    """
    if road_class == RoadClass.PRIMARY and entry.primary_road_authority:
        return Route(entry.primary_road_authority, entry.primary_road_unit or entry.unit)
    if entry.authority != ALCALDIA_ROUTE:
        return Route(entry.authority, entry.unit)
    if alcaldia not in ALCALDIA_CODES:
        return None
    return Route(ALCALDIA_CODES[alcaldia], entry.unit)

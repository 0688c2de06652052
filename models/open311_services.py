"""The catalogue as Open311 GeoReport v2 services, their definitions, and the attributes a
request sends.

Every category is a service (``service_code`` = the catalogue code, ``group`` = its official
tema, ``keywords`` = its synonyms). A category routed to the alcaldía of the place needs the
``alcaldia`` attribute; one with a rule for primary roads needs ``road_class`` (without it the
ordinary rule applies); any may name the ``colonia``::

    >>> entry = CatalogueEntry(code="VIA-001", name="Bache", kind="servicio", tema="BACHEO",
    ...     authority="ALCALDIA", unit="DGODU", primary_road_authority="SOBSE")
    >>> [a["code"] for a in attributes(entry)]
    ['alcaldia', 'colonia', 'road_class']
    >>> parse_attributes(entry, {"alcaldia": "Tlalpan", "road_class": "primaria"})
    PlaceAttributes(alcaldia='Tlalpan', colonia=None, road_class=<RoadClass.PRIMARY: 'primaria'>)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from models.authorities import ALCALDIAS
from models.catalogue import ALCALDIA_ROUTE, CatalogueEntry
from models.errors import DomainError
from models.requests import RoadClass

ROAD_CLASS_NAMES = {RoadClass.PRIMARY: "Vía primaria", RoadClass.SECONDARY: "Calle secundaria"}
MAX_KEYWORDS = 10


class InvalidAttribute(DomainError):
    """An attribute that is missing, unknown, or has a value outside its list."""

    error_id = "invalid-attribute"
    status_code = 400


class PlaceAttributes(NamedTuple):
    """What a request's attributes say about its place."""

    alcaldia: str | None
    colonia: str | None
    road_class: RoadClass | None


def needs_alcaldia(entry: CatalogueEntry) -> bool:
    """Whether the category's authority is the alcaldía of the place."""
    return entry.authority == ALCALDIA_ROUTE


def service(entry: CatalogueEntry) -> dict[str, Any]:
    """The entry as an Open311 service."""
    keywords = ", ".join(entry.synonyms[:MAX_KEYWORDS]) or None
    return {
        "service_code": entry.code,
        "service_name": entry.name,
        "description": entry.description or None,
        "metadata": True,
        "type": "realtime",
        "keywords": keywords,
        "group": entry.tema,
    }


def attributes(entry: CatalogueEntry) -> list[dict[str, Any]]:
    """The attributes of the entry's service definition, in their order."""
    found = [
        _attribute(
            "alcaldia",
            "singlevaluelist",
            required=needs_alcaldia(entry),
            description="Alcaldía donde está el problema.",
            values=[{"key": name, "name": name} for name in ALCALDIAS],
        ),
        _attribute(
            "colonia",
            "string",
            required=False,
            description="Colonia donde está el problema (de la alcaldía indicada).",
        ),
    ]
    if entry.primary_road_authority:
        found.append(
            _attribute(
                "road_class",
                "singlevaluelist",
                required=False,
                description="¿Está en una vía primaria o en una calle secundaria? "
                "Las vías primarias las atiende otra dependencia.",
                values=[{"key": k.value, "name": v} for k, v in ROAD_CLASS_NAMES.items()],
            )
        )
    for order, attribute in enumerate(found, start=1):
        attribute["order"] = order
    return found


def _attribute(
    code: str,
    datatype: str,
    *,
    required: bool,
    description: str,
    values: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": None,
        "description": description,
    }
    if values is not None:
        found["values"] = values
    return found


def definition(entry: CatalogueEntry) -> dict[str, Any]:
    """The entry's Open311 service definition."""
    return {"service_code": entry.code, "attributes": attributes(entry)}


def parse_attributes(
    entry: CatalogueEntry,
    given: Mapping[str, str],
    *,
    colonia_of: Callable[[str, str], str | None] | None = None,
) -> PlaceAttributes:
    """The place the attributes name, checked against the entry's definition; ``colonia_of``
    (alcaldía, typed) gives the colonia's official name, or None when it is not there."""
    known = {a["code"]: a for a in attributes(entry)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidAttribute(f"Atributo desconocido para {entry.code}: {', '.join(unknown)}.")
    values = {code: value.strip() for code, value in given.items() if value.strip()}
    for code, attribute in known.items():
        if attribute["required"] and code not in values:
            raise InvalidAttribute(f"Falta el atributo obligatorio attribute[{code}].")
        allowed = {v["key"] for v in attribute.get("values", [])}
        if allowed and code in values and values[code] not in allowed:
            raise InvalidAttribute(f"El valor de attribute[{code}] no está en su lista.")
    alcaldia, colonia = values.get("alcaldia"), values.get("colonia")
    if colonia is not None:
        if len(colonia) > 120:
            raise InvalidAttribute("La colonia admite hasta 120 caracteres.")
        if alcaldia is None:
            raise InvalidAttribute("Para indicar la colonia indique también la alcaldía.")
        if colonia_of is not None:
            official = colonia_of(alcaldia, colonia)
            if official is None:
                raise InvalidAttribute(f"«{colonia}» no es una colonia de {alcaldia}.")
            colonia = official
    road = values.get("road_class")
    return PlaceAttributes(alcaldia, colonia, RoadClass(road) if road else None)

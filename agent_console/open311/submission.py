"""A GeoReport v2 ``POST requests`` form read into the domain's :class:`RequestCreate`.

The location is ``lat`` + ``long`` (inside the City), ``address_string`` (its colonia and
alcaldía found as the IVR finds them in speech) or ``address_id``; at least one is required.
``attribute[code]`` fields follow the service definition; contact fields (``email``,
``phone``, ``first_name``, ``last_name``) are kept as the citizen's data and never shown.
``device_id``, ``account_id`` and ``media_url`` are not kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from email_validator import EmailNotValidError, validate_email

from agent_console.capture_form import CITY_BOX
from agent_console.colonias import ColoniaDirectory
from agent_console.open311.errors import BadParameter
from ivr.classifier import Classifier
from ivr.classifier.text import fold
from ivr.flow.input_limits import printable
from ivr.phones import to_e164
from models.catalogue import CatalogueEntry
from models.open311_services import parse_attributes
from models.requests import Channel, CitizenFields, RequestCreate

LIMITS = {
    "address_string": 200,
    "address_id": 64,
    "description": 4000,
    "email": 200,
    "first_name": 99,
    "last_name": 100,
}
ATTRIBUTE = ("attribute[", "]")


def _text(form: Mapping[str, str], name: str) -> str:
    value = printable(form.get(name, ""), lines=name == "description").strip()
    if len(value) > LIMITS.get(name, 100):
        raise BadParameter(f"{name} admite hasta {LIMITS.get(name, 100)} caracteres.")
    return value


def _coordinates(form: Mapping[str, str]) -> tuple[float | None, float | None]:
    lat, long = _text(form, "lat"), _text(form, "long")
    if not (lat or long):
        return None, None
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError as error:
        raise BadParameter(
            "lat y long van juntos, en grados decimales (19.4326, -99.1332)."
        ) from error
    (south, north), (west, east) = CITY_BOX
    if not (south <= latitude <= north and west <= longitude <= east):
        raise BadParameter("Esas coordenadas quedan fuera de la Ciudad de México.")
    return latitude, longitude


def _contact(form: Mapping[str, str]) -> CitizenFields:
    name = " ".join(p for p in (_text(form, "first_name"), _text(form, "last_name")) if p)
    phone, email = to_e164(_text(form, "phone")), _text(form, "email")
    if phone and not (phone.startswith("+") and phone[1:].isascii() and phone[1:].isdigit()):
        raise BadParameter("phone no es un teléfono válido (10 dígitos o +52…).")
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise BadParameter("email no es un correo electrónico válido.") from error
    return CitizenFields(
        citizen_name=name or None, citizen_phone=phone or None, citizen_email=email or None
    )


def _attributes(form: Mapping[str, str]) -> dict[str, str]:
    start, end = ATTRIBUTE
    return {
        name[len(start) : -len(end)]: value
        for name, value in form.items()
        if name.startswith(start) and name.endswith(end)
    }


def read_submission(
    form: Mapping[str, str],
    entry: CatalogueEntry,
    *,
    source: str,
    classifier: Classifier,
    colonias: ColoniaDirectory,
) -> RequestCreate:
    """The request the form describes, created by the application ``source``."""
    latitude, longitude = _coordinates(form)
    address, address_id = _text(form, "address_string"), _text(form, "address_id")
    if latitude is None and not (address or address_id):
        raise BadParameter("Indique el lugar: lat y long, address_string o address_id.")
    given = _attributes(form)
    if address and "alcaldia" not in given:
        named = classifier.places.find(fold(address).split(), ordinary=classifier.index.words)
        found = {"alcaldia": named.alcaldia, "colonia": named.colonia}
        given = {**{k: v for k, v in found.items() if v and named.alcaldia}, **given}
    place = parse_attributes(entry, given, colonia_of=colonias.canonical)
    return RequestCreate(
        catalogue_code=entry.code,
        channel=Channel.OPEN311,
        source=source,
        description=_text(form, "description"),
        alcaldia=place.alcaldia,
        colonia=place.colonia,
        road_class=place.road_class,
        street=address or None,
        reference=f"address_id {address_id}" if address_id else None,
        latitude=latitude,
        longitude=longitude,
        **_contact(form).model_dump(),
    )

"""The capture form: what the agent typed, checked field by field into a ``RequestCreate``.

Every check gives a Spanish message for its own field, and what was typed is kept as typed so
the page can show it again::

    typed = CaptureInput.of(await request.form())
    checked = check_capture(typed, catalogue=codes, colonias=colonias, roads=roads)
    if checked.errors: ...  # 422, the form again with each message next to its field
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from agent_console.colonias import ColoniaDirectory
from ivr.classifier.roads import PrimaryRoads
from ivr.flow.input_limits import printable
from ivr.phones import to_e164
from models.authorities import ALCALDIAS
from models.catalogue import KIND_LABELS, REQUEST_KINDS
from models.requests import Channel, RequestCreate, RoadClass

CHANNELS = {"agente": Channel.AGENT, "ventanilla": Channel.VENTANILLA}
CHANNEL_LABELS = {
    Channel.ASTERISK_CALL: "Llamada (Asterisk)",
    Channel.TWILIO_CALL: "Llamada (Twilio)",
    Channel.SMS: "SMS",
    Channel.WHATSAPP: "WhatsApp",
    Channel.AGENT: "Asesor telefónico",
    Channel.VENTANILLA: "Ventanilla",
    Channel.WEB: "Web",
}
CITY_BOX = ((19.04, 19.60), (-99.37, -98.94))  # Mexico City's extent, latitude and longitude
LIMITS = {
    "colonia": 120,
    "calle": 200,
    "referencia": 500,
    "descripcion": 4000,
    "nombre": 200,
    "telefono": 32,
    "correo": 200,
    "buscar": 200,
}
MULTILINE = {"descripcion", "referencia"}
assert set(KIND_LABELS) == set(REQUEST_KINDS)


@dataclass
class CaptureInput:
    """The form's fields as typed (all text)."""

    formulario: str = ""
    canal: str = "agente"
    llamada: str = ""
    tipo: str = ""
    categoria: str = ""
    buscar: str = ""
    alcaldia: str = ""
    colonia: str = ""
    calle: str = ""
    referencia: str = ""
    descripcion: str = ""
    latitud: str = ""
    longitud: str = ""
    nombre: str = ""
    telefono: str = ""
    correo: str = ""

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> CaptureInput:
        """The fields of a submitted form (anything else is ignored)."""
        return cls(**{f.name: form_text(form, f.name) for f in fields(cls)})

    @property
    def channel(self) -> Channel:
        """The channel: a service window, or an agent (the default)."""
        return CHANNELS.get(self.canal, Channel.AGENT)


def form_text(form: Mapping[str, Any], name: str) -> str:
    """A form field as typed, without control or format characters (nothing a person types,
    and PostgreSQL refuses a NUL); line breaks are kept in the multi-line fields.

    >>> form_text({"descripcion": "Bache\\x00\\r\\nhondo"}, "descripcion")
    'Bache\\nhondo'
    """
    return printable(str(form.get(name) or ""), lines=name in MULTILINE)


@dataclass
class Checked:
    """A request ready to register, or the message of each wrong field."""

    data: RequestCreate | None
    errors: dict[str, str] = field(default_factory=dict)


def check_capture(
    typed: CaptureInput,
    *,
    catalogue: Collection[str],
    colonias: ColoniaDirectory,
    roads: PrimaryRoads,
) -> Checked:
    """Check every field (all of them, so the agent sees every message at once); the road
    class follows the street or reference typed (a primary road's name, or another street)."""
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(getattr(typed, name)) > limit:
            errors[name] = f"Escriba como máximo {limit:,} caracteres.".replace(",", " ")
    if typed.tipo and typed.tipo not in KIND_LABELS:
        errors["tipo"] = "Elija un tipo de solicitud de la lista."
    if not typed.categoria:
        errors["categoria"] = "Elija la categoría de la solicitud."
    elif typed.categoria not in catalogue:
        errors["categoria"] = "Esa categoría no existe en el catálogo: elija una de la lista."
    if not typed.descripcion.strip():
        errors.setdefault("descripcion", "Describa lo que reporta el ciudadano.")
    alcaldia = typed.alcaldia or None
    if alcaldia is not None and alcaldia not in ALCALDIAS:
        errors["alcaldia"] = "Elija una de las 16 alcaldías de la lista."
    colonia = _colonia(typed, alcaldia, colonias, errors)
    latitude, longitude = _coordinates(typed, errors)
    phone = _phone(typed.telefono, errors)
    email = _email(typed.correo, errors)
    if errors:
        return Checked(None, errors)
    data = RequestCreate(
        catalogue_code=typed.categoria,
        kind=typed.tipo or None,
        channel=typed.channel,
        call_id=typed.llamada.strip()[:64] or None,
        description=typed.descripcion.strip(),
        alcaldia=alcaldia,
        colonia=colonia,
        street=typed.calle.strip() or None,
        road_class=_road_class(typed, roads),
        reference=typed.referencia.strip() or None,
        latitude=latitude,
        longitude=longitude,
        citizen_name=typed.nombre.strip() or None,
        citizen_phone=phone,
        citizen_email=email,
    )
    return Checked(data)


def _road_class(typed: CaptureInput, roads: PrimaryRoads) -> RoadClass | None:
    """Primary when the street or the reference names a primary road; secondary for any
    other street typed; unknown without one."""
    if roads.find(typed.calle) or roads.find(typed.referencia):
        return RoadClass.PRIMARY
    return RoadClass.SECONDARY if typed.calle.strip() else None


def _colonia(
    typed: CaptureInput, alcaldia: str | None, colonias: ColoniaDirectory, errors: dict[str, str]
) -> str | None:
    name = typed.colonia.strip()
    if not name or "colonia" in errors:
        return None
    if alcaldia is None:
        places = colonias.alcaldias_of(name)
        hint = f" («{name}» está en {' o '.join(places)})" if places else ""
        errors.setdefault("alcaldia", f"Elija la alcaldía de la colonia{hint}.")
        return None
    found = colonias.canonical(alcaldia, name)
    if found is None and "alcaldia" not in errors:
        places = colonias.alcaldias_of(name)
        errors["colonia"] = (
            f"La colonia «{name}» no está en {alcaldia}, sino en {' o '.join(places)}."
            if places
            else f"No hay ninguna colonia «{name}» en {alcaldia}: elija una de la lista."
        )
    return found


def _coordinates(typed: CaptureInput, errors: dict[str, str]) -> tuple[float | None, float | None]:
    if not (typed.latitud.strip() or typed.longitud.strip()):
        return None, None
    try:
        latitude, longitude = float(typed.latitud), float(typed.longitud)
    except ValueError:
        errors["latitud"] = "Escriba latitud y longitud en grados decimales (19.4326, -99.1332)."
        return None, None
    (south, north), (west, east) = CITY_BOX
    if not (south <= latitude <= north and west <= longitude <= east):
        errors["latitud"] = "Esas coordenadas quedan fuera de la Ciudad de México."
        return None, None
    return latitude, longitude


def _phone(typed: str, errors: dict[str, str]) -> str | None:
    if not typed.strip() or "telefono" in errors:
        return None
    number = to_e164(typed)
    try:
        valid = number.startswith("+") and phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        errors["telefono"] = "No es un teléfono válido: escriba los 10 dígitos (55 1234 5678)."
        return None
    return number


def _email(typed: str, errors: dict[str, str]) -> str | None:
    if not typed.strip() or "correo" in errors:
        return None
    try:
        return validate_email(typed.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["correo"] = "No es un correo electrónico válido (nombre@dominio.mx)."
        return None

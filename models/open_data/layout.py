"""The City's official 0311 Locatel open data layout: its sixteen columns and vocabularies.

Every value is text and a missing one is ``NA``, as in the published dataset. SUAC's own
statuses, channels and sexes map onto the official vocabularies here, once, for the export,
the import and the data dictionary::

    >>> ESTATUS_OF[Status.IN_PROGRESS]
    'AUTORIDAD RESPONSABLE'
    >>> TIPO_DE_ENTRADA_OF[Channel.WEB]
    'PORTAL CIUDADANO SUAC'
"""

from __future__ import annotations

from models.requests import Channel, Sex, Status

COLUMNS: tuple[str, ...] = (
    "id_folio",
    "fecha_solicitud",
    "hora_solicitud",
    "tipo_de_entrada",
    "tema_solicitud",
    "sexo",
    "edad",
    "colonia_solicitud",
    "alcaldia_solicitud",
    "codigo_postal_solicitud",
    "estatus",
    "fecha_concluido",
    "alcaldia_catalogo",
    "colonia_catalogo",
    "longitud",
    "latitud",
)
NA = "NA"
DATE_FORMAT, TIME_FORMAT = "%Y-%m-%d", "%H:%M:%S"
COORDINATE_DECIMALS = 3  # about 110 m: a block, never a citizen's door

OPEN, ANSWERED, CLOSED = "AUTORIDAD RESPONSABLE", "ATENDIDO", "CERRADO"
ESTATUS_OF: dict[Status, str] = {
    Status.RECEIVED: OPEN,
    Status.ASSIGNED: OPEN,
    Status.REASSIGNED: OPEN,
    Status.IN_PROGRESS: OPEN,
    Status.ANSWERED: ANSWERED,
    Status.CLOSED: CLOSED,
    Status.REJECTED: CLOSED,
}
STATUS_OF_ESTATUS: dict[str, Status] = {
    OPEN: Status.ASSIGNED,
    ANSWERED: Status.ANSWERED,
    CLOSED: Status.CLOSED,
}

PHONE = "OPERADOR TELEFÓNICO LOCATEL"
INTEROPERABILITY = "INTEROPERABILIDAD"
TIPO_DE_ENTRADA_OF: dict[Channel, str] = {
    Channel.ASTERISK_CALL: PHONE,
    Channel.TWILIO_CALL: PHONE,
    Channel.AGENT: PHONE,
    # Locatel's operators attend messages as they attend calls; the official vocabulary has
    # no value of its own for them.
    Channel.SMS: PHONE,
    Channel.WHATSAPP: PHONE,
    Channel.VENTANILLA: "OPERADOR TELEFÓNICO - VENTANILLA",
    Channel.WEB: "PORTAL CIUDADANO SUAC",
    # another system sending requests, as the alcaldías' own systems do (followed by the
    # application's name when its API key gives one)
    Channel.OPEN311: INTEROPERABILITY,
}

SEXO_OF: dict[Sex, str] = {
    Sex.FEMALE: "FEMENINO",
    Sex.MALE: "MASCULINO",
    Sex.UNSPECIFIED: "NO ESPECIFICADO",
}
SEX_OF_SEXO: dict[str, Sex] = {text: sex for sex, text in SEXO_OF.items()}


def tipo_de_entrada(channel: str, source: str | None) -> str:
    """The official ``tipo_de_entrada`` of a request that came in by ``channel``.

    >>> tipo_de_entrada("open311", "Bache App")
    'INTEROPERABILIDAD BACHE APP'
    """
    text = TIPO_DE_ENTRADA_OF.get(channel)  # type: ignore[call-overload]
    if text == INTEROPERABILITY and source:
        return f"{INTEROPERABILITY} {source.strip().upper()}"
    return text or (source or NA)


def present(value: str) -> str | None:
    """A field's value, or None when it is missing (``NA`` or empty)."""
    value = value.strip()
    return None if value in {"", NA} else value

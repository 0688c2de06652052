"""The data dictionary of the open data files: every field, its type and meaning, in Spanish.

The same entries are written as ``diccionario_de_datos.csv`` and shown on the open data page,
so the two cannot disagree::

    >>> next(f for f in FIELDS if f.name == "estatus").file
    'solicitudes_0311'
"""

from __future__ import annotations

from dataclasses import dataclass

from models.lifecycle import STATUS_LABELS
from models.open_data.layout import (
    COORDINATE_DECIMALS,
    ESTATUS_OF,
    INTEROPERABILITY,
    NA,
    PHONE,
    SEXO_OF,
    TIPO_DE_ENTRADA_OF,
)
from models.public_stats import COLUMNS as STATISTICS_COLUMNS
from models.public_stats import TOP_CATEGORIES
from models.requests import Channel

REQUESTS, STATISTICS = "solicitudes_0311", "estadisticas_autoridades"
TEXT, DATE, TIME, INTEGER, DECIMAL = "texto", "fecha", "hora", "entero", "decimal"


@dataclass(frozen=True)
class DictionaryField:
    """One field of one file."""

    file: str
    name: str
    kind: str
    description: str


CHANNELS = (
    f"Medio por el que llegó la solicitud, con el vocabulario oficial: {PHONE} (llamadas a "
    "Locatel, y también SMS y WhatsApp, que atienden los mismos operadores), "
    f"{TIPO_DE_ENTRADA_OF[Channel.VENTANILLA]} (ventanilla de atención), "
    f"{TIPO_DE_ENTRADA_OF[Channel.WEB]} (el portal y el formulario web), {INTEROPERABILITY} "
    "seguido del nombre de la aplicación (otro sistema, por la API Open311). Las filas "
    "importadas de la Ciudad conservan su valor, p. ej. APP CDMX o USUARIOS SUAC DEPENDENCIA."
)


def _statuses() -> str:
    names: dict[str, list[str]] = {}
    for status, text in ESTATUS_OF.items():
        names.setdefault(text, []).append(STATUS_LABELS[status])
    detail = "; ".join(f"{text}: {', '.join(group)}" for text, group in names.items())
    return (
        f"Estado de la solicitud ({detail}). Algunas filas históricas de la Ciudad marcadas "
        "AUTORIDAD RESPONSABLE traen fecha_concluido; se publican tal como vinieron."
    )


_REQUEST_FIELDS = (
    ("id_folio", TEXT, "Folio de la solicitud (los de SUAC tienen 10 dígitos)."),
    ("fecha_solicitud", DATE, "Fecha de recepción (AAAA-MM-DD, hora de la Ciudad de México)."),
    ("hora_solicitud", TIME, "Hora de recepción (HH:MM:SS, hora de la Ciudad de México)."),
    ("tipo_de_entrada", TEXT, CHANNELS),
    ("tema_solicitud", TEXT, "Tema oficial 0311 de la categoría (OTRO si no tiene uno)."),
    (
        "sexo",
        TEXT,
        f"{', '.join(SEXO_OF.values())} o {NA}. Solo si la persona aceptó publicarlo; "
        f"{NA} en otro caso.",
    ),
    ("edad", INTEGER, f"Edad en años, solo si la persona aceptó publicarla; {NA} en otro caso."),
    ("colonia_solicitud", TEXT, "Colonia del lugar, en mayúsculas sin acentos."),
    ("alcaldia_solicitud", TEXT, "Alcaldía del lugar, en mayúsculas sin acentos."),
    ("codigo_postal_solicitud", TEXT, "Código postal del lugar (cinco dígitos)."),
    ("estatus", TEXT, _statuses()),
    ("fecha_concluido", DATE, "Fecha en que se atendió o cerró la solicitud (AAAA-MM-DD)."),
    ("alcaldia_catalogo", TEXT, "Nombre oficial de la alcaldía del lugar."),
    ("colonia_catalogo", TEXT, "Colonia del lugar según el catálogo."),
    (
        "longitud",
        DECIMAL,
        f"Longitud del lugar redondeada a {COORDINATE_DECIMALS} decimales (unos 110 m), "
        "nunca el punto exacto.",
    ),
    ("latitud", DECIMAL, f"Latitud del lugar redondeada a {COORDINATE_DECIMALS} decimales."),
)

_STATISTICS_FIELDS = {
    "ambito": (TEXT, "autoridad o alcaldia: de quién son las cifras de la fila."),
    "clave": (TEXT, "Clave de la autoridad, o nombre de la alcaldía."),
    "nombre": (TEXT, "Nombre de la autoridad o de la alcaldía."),
    "periodo_desde": (DATE, "Primer día del periodo (solicitudes recibidas desde ese día)."),
    "periodo_hasta": (DATE, "Último día del periodo, incluido."),
    "recibidas": (INTEGER, "Solicitudes recibidas en el periodo que hoy tiene a su cargo."),
    "respondidas": (INTEGER, "De ellas, las respondidas (atendidas o cerradas tras respuesta)."),
    "respondidas_en_plazo": (
        INTEGER,
        "Respondidas dentro de los 5 días hábiles del calendario de la autoridad.",
    ),
    "porcentaje_en_plazo": (DECIMAL, "respondidas_en_plazo entre recibidas, en porcentaje."),
    "abiertas": (INTEGER, "Solicitudes del periodo aún sin respuesta."),
    "vencidas": (INTEGER, "Abiertas cuyo plazo ya venció."),
    "rechazadas": (INTEGER, "Solicitudes rechazadas por improcedentes."),
    "mediana_dias_habiles": (DECIMAL, "Mediana de días hábiles hasta la respuesta."),
}
_CATEGORY_PARTS = {
    "clave": (TEXT, "Clave de la {n}ª categoría más solicitada."),
    "nombre": (TEXT, "Nombre de la {n}ª categoría más solicitada."),
    "recibidas": (INTEGER, "Solicitudes recibidas de la {n}ª categoría más solicitada."),
}


def _statistics_field(name: str) -> DictionaryField:
    if name in _STATISTICS_FIELDS:
        kind, description = _STATISTICS_FIELDS[name]
        return DictionaryField(STATISTICS, name, kind, description)
    for n in range(1, TOP_CATEGORIES + 1):
        for part, (kind, text) in _CATEGORY_PARTS.items():
            if name == f"categoria_{n}_{part}":
                return DictionaryField(STATISTICS, name, kind, text.format(n=n))
    raise KeyError(f"statistics column without a description: {name}")


FIELDS: tuple[DictionaryField, ...] = (
    *(DictionaryField(REQUESTS, *field) for field in _REQUEST_FIELDS),
    *(_statistics_field(name) for name in STATISTICS_COLUMNS),
)

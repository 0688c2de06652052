"""Reading one row of a file in the official 0311 layout, refused with its reason when bad.

A row must have the sixteen columns, a numeric folio, a date ``AAAA-MM-DD`` and a time
``HH:MM:SS`` of reception and a known ``estatus``; optional fields are ``NA`` or valid
(a closing date not before reception, an age from 0 to 120, coordinates in range). The
row's text is kept as it came, quirks included; only the parsed values are normalised::

    row = parse_row(values, zone=ZoneInfo("America/Mexico_City"))
    row.received_at, row.status, row.fields["tema_solicitud"]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from models.open_data.layout import COLUMNS, SEX_OF_SEXO, STATUS_OF_ESTATUS, present
from models.open_data.names import official_alcaldia
from models.requests import Sex, Status

T = TypeVar("T")

HISTORICAL_PREFIX = "H"  # an imported folio, never confused with SUAC's own ten digits
MAX_FOLIO_DIGITS = 9
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}$")
_POSTAL_CODE = re.compile(r"^\d{5}$")
END_OF_DAY = time(23, 59, 59)  # a closing date carries no hour: the end of that day


class RowError(ValueError):
    """Why a row cannot be loaded (in Spanish)."""


@dataclass(frozen=True)
class ParsedRow:
    """One row's published text and what SUAC keeps of it as a request."""

    fields: dict[str, str]
    received_at: datetime
    status: Status
    concluded_at: datetime | None
    alcaldia: str | None
    colonia: str | None
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    sex: Sex | None
    age: int | None

    @property
    def id_folio(self) -> str:
        return self.fields["id_folio"]

    @property
    def folio(self) -> str:
        """The request's folio in SUAC."""
        return HISTORICAL_PREFIX + self.id_folio


def _checked(
    name: str, text: str, pattern: re.Pattern[str], parse: Callable[[str], T], shape: str
) -> T:
    """``text`` parsed when it has the ``pattern``'s shape and parses; else why not."""
    try:
        if pattern.match(text):
            return parse(text)
    except ValueError:
        pass
    raise RowError(f"{name} «{text}» no es una {shape}")


def _date(name: str, text: str) -> date:
    return _checked(name, text, _DATE, date.fromisoformat, "fecha válida (AAAA-MM-DD)")


def _number(name: str, text: str | None, limit: float) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:
        raise RowError(f"{name} «{text}» no es una coordenada válida")
    return value


def _age(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or int(text) > 120:
        raise RowError(f"edad «{text}» no es una edad válida (0 a 120)")
    return int(text)


def _folio(text: str) -> str:
    if not text:
        raise RowError("el folio está vacío")
    if not (text.isascii() and text.isdigit()):
        raise RowError(f"el folio «{text}» no es numérico")
    if len(text) > MAX_FOLIO_DIGITS:
        raise RowError(f"el folio «{text}» tiene más de {MAX_FOLIO_DIGITS} dígitos")
    return text


def parse_row(values: list[str], *, zone: ZoneInfo) -> ParsedRow:
    """Check and read one row's values; :class:`RowError` says why it is refused."""
    if len(values) != len(COLUMNS):
        raise RowError(f"tiene {len(values)} columnas y se esperaban {len(COLUMNS)}")
    fields = dict(zip(COLUMNS, values, strict=True))
    get = {name: present(value) for name, value in fields.items()}
    _folio(fields["id_folio"].strip())
    received_at = datetime.combine(
        _date("fecha_solicitud", fields["fecha_solicitud"].strip()),
        _checked(
            "hora_solicitud",
            fields["hora_solicitud"].strip(),
            _TIME,
            time.fromisoformat,
            "hora válida (HH:MM:SS)",
        ),
        zone,
    )
    estatus = fields["estatus"].strip()
    if estatus not in STATUS_OF_ESTATUS:
        known = ", ".join(STATUS_OF_ESTATUS)
        raise RowError(f"estatus «{estatus}» desconocido (se esperaba {known})")
    concluded = get["fecha_concluido"]
    concluded_at = (
        datetime.combine(_date("fecha_concluido", concluded), END_OF_DAY, zone)
        if concluded
        else None
    )
    if concluded_at is not None and concluded_at < received_at:
        raise RowError("fecha_concluido es anterior a fecha_solicitud")
    place = get["alcaldia_catalogo"] or get["alcaldia_solicitud"]
    postal_code = get["codigo_postal_solicitud"]
    return ParsedRow(
        fields=fields,
        received_at=received_at,
        status=STATUS_OF_ESTATUS[estatus],
        concluded_at=concluded_at,
        alcaldia=official_alcaldia(place) if place else None,
        colonia=(get["colonia_catalogo"] or get["colonia_solicitud"] or "")[:120] or None,
        postal_code=postal_code if postal_code and _POSTAL_CODE.match(postal_code) else None,
        latitude=_number("latitud", get["latitud"], 90),
        longitude=_number("longitud", get["longitud"], 180),
        sex=SEX_OF_SEXO.get(fields["sexo"].strip()),
        age=_age(get["edad"]),
    )

"""Saying digits, numbers and dates the way people in Mexico City say them.

>>> spoken_digits("2600012349")
'dos seis, cero cero cero uno dos tres cuatro, nueve'
>>> spoken_date(date(2026, 12, 2))
'el miércoles dos de diciembre'
>>> spoken_date(date(2026, 12, 1))
'el martes primero de diciembre'
"""

from __future__ import annotations

from datetime import date

from num2words import num2words

DIGIT_WORDS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def spoken_number(value: int) -> str:
    """A whole number in Spanish words: ``spoken_number(21)`` → ``'veintiuno'``."""
    return num2words(value, lang="es")


def spoken_digits(value: str) -> str:
    """Digits one by one; a ten-digit folio is grouped as it is printed (2-7-1)."""
    digits = [c for c in value if c.isdigit()]
    groups = [digits[:2], digits[2:-1], digits[-1:]] if len(digits) == 10 else [digits]
    return ", ".join(" ".join(DIGIT_WORDS[int(d)] for d in group) for group in groups if group)


def spoken_date(value: date, *, today: date | None = None) -> str:
    """``el <weekday> <day> de <month>``, with the year only when it is not this year's."""
    day = "primero" if value.day == 1 else spoken_number(value.day)
    text = f"el {WEEKDAYS[value.weekday()]} {day} de {MONTHS[value.month - 1]}"
    if today is not None and today.year != value.year:
        text += f" de {spoken_number(value.year)}"
    return text


def written_date(value: date) -> str:
    """A date for messages: ``written_date(date(2026, 12, 2))`` → ``'2 de diciembre de 2026'``."""
    return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}"

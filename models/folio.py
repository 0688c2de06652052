"""Folios: numeric, keyable on a phone keypad, carrying the year and a Verhoeff check digit.

A folio has ten digits ``YY SSSSSSS C``: the two-digit year of reception, a seven-digit
sequence that restarts every year, and a Verhoeff check digit over the first nine digits.
Verhoeff catches every single-digit error and every adjacent transposition, so a mistyped
folio is recognised before any lookup.

Example::

    >>> folio = make_folio(2026, 1234)
    >>> format_folio(folio)
    '26-0001234-9'
    >>> parse_folio("folio 26 0001234 9") == folio
    True
"""

from __future__ import annotations

import re

from models.errors import InvalidFolio

FOLIO_LENGTH = 10
SEQUENCE_DIGITS = 7
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)
_NOISE = re.compile(r"(?i)\bfolio\b|[\s\-._#:/]")


def _checksum(digits: str) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c


def verhoeff_digit(digits: str) -> str:
    """The Verhoeff check digit to append to ``digits``.

    >>> verhoeff_digit("236")
    '3'
    """
    return str(_INV[_checksum(digits + "0")])


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Verhoeff check digit."""
    return _checksum(digits) == 0


def make_folio(year: int, sequence: int) -> str:
    """Build the folio for the ``sequence``-th request of ``year``."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"folio sequence out of range: {sequence}")
    body = f"{year % 100:02d}{sequence:0{SEQUENCE_DIGITS}d}"
    return body + verhoeff_digit(body)


def format_folio(folio: str) -> str:
    """Group a folio for display: ``26-0001234-9``."""
    return f"{folio[:2]}-{folio[2:-1]}-{folio[-1]}"


def speak_folio(folio: str) -> list[str]:
    """The folio's digits, one by one, in the groups a person reads them."""
    return [folio[:2], folio[2:-1], folio[-1]]


def parse_folio(text: str) -> str:
    """Normalise and validate a folio typed or spoken by a person.

    Spaces, dashes, dots and the word FOLIO are ignored. Raises :class:`InvalidFolio`
    with a reason (``empty``, ``not-digits``, ``length``, ``check-digit``) otherwise.
    """
    cleaned = _NOISE.sub("", text or "")
    if not cleaned:
        raise InvalidFolio("No se recibió ningún folio.", reason="empty")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise InvalidFolio("El folio solo lleva números.", reason="not-digits")
    if len(cleaned) != FOLIO_LENGTH:
        raise InvalidFolio(
            f"El folio tiene {FOLIO_LENGTH} dígitos y se recibieron {len(cleaned)}.",
            reason="length",
        )
    if not verhoeff_valid(cleaned):
        raise InvalidFolio(
            "El folio no es válido: algún dígito está equivocado.", reason="check-digit"
        )
    return cleaned

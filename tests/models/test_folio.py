"""Folios: format, parse, and the check digit's power to catch typing errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import InvalidFolio
from models.folio import (
    MAX_SEQUENCE,
    format_folio,
    make_folio,
    parse_folio,
    speak_folio,
    verhoeff_valid,
)

years = st.integers(min_value=2000, max_value=2099)
sequences = st.integers(min_value=1, max_value=MAX_SEQUENCE)


def test_known_folio() -> None:
    assert make_folio(2026, 1234) == "2600012349"
    assert format_folio("2600012349") == "26-0001234-9"
    assert speak_folio("2600012349") == ["26", "0001234", "9"]


@given(years, sequences)
def test_round_trip_through_display(year: int, sequence: int) -> None:
    folio = make_folio(year, sequence)
    assert len(folio) == 10 and folio.startswith(f"{year % 100:02d}")
    assert parse_folio(format_folio(folio)) == folio
    assert parse_folio(f"FOLIO {folio[:2]} {folio[2:6]} {folio[6:]}") == folio


@given(years, sequences, st.integers(0, 9), st.integers(1, 9))
def test_every_single_digit_error_is_caught(year: int, seq: int, pos: int, delta: int) -> None:
    folio = make_folio(year, seq)
    wrong = folio[:pos] + str((int(folio[pos]) + delta) % 10) + folio[pos + 1 :]
    assert not verhoeff_valid(wrong)
    with pytest.raises(InvalidFolio) as caught:
        parse_folio(wrong)
    assert caught.value.reason == "check-digit"


@given(years, sequences, st.integers(0, 8))
def test_every_adjacent_transposition_is_caught(year: int, seq: int, pos: int) -> None:
    folio = make_folio(year, seq)
    if folio[pos] == folio[pos + 1]:
        return
    swapped = folio[:pos] + folio[pos + 1] + folio[pos] + folio[pos + 2 :]
    assert not verhoeff_valid(swapped)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  - ", "empty"),
        ("26-000123A-9", "not-digits"),
        ("２６０００１２３４９", "not-digits"),
        ("260001234", "length"),
        ("26000123490", "length"),
    ],
)
def test_malformed_folios_are_explained(text: str, reason: str) -> None:
    with pytest.raises(InvalidFolio) as caught:
        parse_folio(text)
    assert caught.value.reason == reason
    assert caught.value.message


def test_sequence_bounds() -> None:
    with pytest.raises(ValueError):
        make_folio(2026, 0)
    with pytest.raises(ValueError):
        make_folio(2026, MAX_SEQUENCE + 1)

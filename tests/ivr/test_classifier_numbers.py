"""Number words as digits (``text2num``): a folio said in groups, keys said as words, and
quantities in a description, with articles left as words."""

from __future__ import annotations

import doctest

import ivr.classifier.numbers
from ivr.classifier.text import content_words, fold
from ivr.flow.understanding import digits_from_speech, spoken_keys


def test_a_folio_said_in_groups_is_its_digits() -> None:
    said = "Veintiséis, cero cero, mil doscientos treinta y cuatro, nueve"
    assert digits_from_speech(said) == "260012349"
    assert digits_from_speech("dos seis cero cero cero uno dos tres cuatro nueve") == "2600012349"
    assert digits_from_speech("la primera, folio 26 0001234 9") == "2600012349"


def test_keys_said_as_words() -> None:
    assert spoken_keys("opción dieciséis") == "16" and spoken_keys("la tecla cinco") == "5"
    assert spoken_keys("una") == "1" and spoken_keys("cero nueve") == "09"
    assert spoken_keys("veinte") == "", "no menu has key 20"
    assert spoken_keys("cinco baches") == ""


def test_descriptions_keep_articles_and_count_in_digits() -> None:
    assert content_words(fold("una fuga de sesenta litros")) == ["fuga", "60", "litros"]
    assert content_words(fold("un bache de quinientos metros")) == ["bache", "500", "metros"]


def test_examples_in_docstrings() -> None:
    assert doctest.testmod(ivr.classifier.numbers).failed == 0

"""Barrios, landmarks and everyday place names: the shipped gazetteer and how places use it."""

from __future__ import annotations

import csv

import pytest

from ivr.classifier.landmarks import LANDMARKS_FILE, Landmarks
from ivr.classifier.places import COLONIAS_FILE, PlaceFinder
from ivr.classifier.text import fold
from models.authorities import ALCALDIAS


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder.default()


def _place(finder: PlaceFinder, text: str) -> tuple[str | None, str | None]:
    place = finder.find(fold(text).split())
    return place.alcaldia, place.colonia


def test_gazetteer_names_real_alcaldias_and_colonias() -> None:
    with COLONIAS_FILE.open(encoding="utf-8") as handle:
        colonias = {(r["colonia"], r["alcaldia"]) for r in csv.DictReader(handle)}
    with LANDMARKS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 100
    assert len({fold(r["nombre"]) for r in rows}) == len(rows)
    for row in rows:
        assert row["alcaldia"] in ALCALDIAS, row
        assert not row["colonia"] or (row["colonia"], row["alcaldia"]) in colonias, row


@pytest.mark.parametrize(
    ("text", "alcaldia", "colonia"),
    [
        ("venden droga en un callejón en Tepito", "Cuauhtémoc", "Morelos"),
        (
            "no hay agua en la unidad habitacional de Tlatelolco",
            "Cuauhtémoc",
            "Nonoalco Tlatelolco",
        ),
        ("mándenme una pipa a San Gregorio", "Xochimilco", "San Gregorio Atlapulco"),
        ("los ambulantes en la banqueta de la Lagunilla", "Cuauhtémoc", None),
        ("basura tirada en el socalo", "Cuauhtémoc", "Centro"),
        ("hay una fuga por la Villa", "Gustavo A. Madero", None),
        ("un bache en la Central del Norte", "Gustavo A. Madero", None),
    ],
)
def test_everyday_place_names(finder: PlaceFinder, text: str, alcaldia: str, colonia: str) -> None:
    assert _place(finder, text) == (alcaldia, colonia)


def test_a_colonia_said_further_wins_over_a_landmark(finder: PlaceFinder) -> None:
    assert _place(finder, "un árbol caído en la Villa Coapa") == ("Tlalpan", "Villa Coapa")
    assert _place(finder, "en la Roma, cerca del Zócalo") == ("Cuauhtémoc", "Roma")


def test_an_alcaldia_said_outranks_a_landmark(finder: PlaceFinder) -> None:
    place = finder.find(fold("una fuga en Tepito en Iztapalapa").split())
    assert (place.alcaldia, place.contradiction) == ("Iztapalapa", True)


def test_ordinary_words_and_articles_are_not_landmarks() -> None:
    landmarks = Landmarks.default()
    assert landmarks.find(["se", "tapo", "la", "coladera"]) is None
    assert landmarks.find(["la", "villa"]) is not None
    assert landmarks.find(["una", "villa"]) is None


def test_a_colonia_after_a_la(finder: PlaceFinder) -> None:
    assert _place(finder, "manden rondines a la Tabacalera") == ("Cuauhtémoc", "Tabacalera")
    assert _place(finder, "frente a la escuela primaria") == (None, None)


@pytest.mark.parametrize(
    ("text", "alcaldia", "colonia"),
    [
        ("en el Centro ya no se puede caminar", "Cuauhtémoc", "Centro"),
        ("no pasa la basura en el Rosario", "Azcapotzalco", "El Rosario"),
        ("se salen las aguas negras en la Agrícola", "Iztacalco", "Agrícola Oriental"),
        ("hay basura en el Rosario de Coyoacán", "Coyoacán", "El Rosario"),
        ("hay una coladera sin tapa en el centro de salud", None, "Centro"),
        ("no pasa la basura por la Morelos", None, "Morelos"),
    ],
)
def test_the_colonia_everybody_means_by_a_shared_name(
    finder: PlaceFinder, text: str, alcaldia: str | None, colonia: str
) -> None:
    assert _place(finder, text) == (alcaldia, colonia)


@pytest.mark.parametrize(
    ("text", "alcaldia", "colonia"),
    [
        ("un bache en San Miguel Topilejo", "Tlalpan", "San Miguel Topilejo"),
        ("sin luz en la unidad habitacional Vicente Guerrero", "Iztapalapa", "Vicente Guerrero"),
        ("sin luz en la Vicente Guerrero", "Iztapalapa", "Vicente Guerrero"),
        ("no llega el agua en la Veracruzana", "Iztapalapa", "Ampliación Veracruzana"),
    ],
)
def test_colonia_without_its_qualifier_or_holding_a_landmark(
    finder: PlaceFinder, text: str, alcaldia: str, colonia: str
) -> None:
    assert _place(finder, text) == (alcaldia, colonia)


@pytest.mark.parametrize(
    ("text", "alcaldia", "colonia"),
    [
        ("hay basura en la Alameda Oriente", "Venustiano Carranza", None),
        ("hay basura en la Alameda", "Cuauhtémoc", "Centro"),
        ("hay basura por el Centro Médico", "Cuauhtémoc", "Doctores"),
        ("hay basura en el centro comercial", None, "Centro"),
    ],
)
def test_a_name_reaching_further_or_of_another_kind(
    finder: PlaceFinder, text: str, alcaldia: str | None, colonia: str | None
) -> None:
    assert _place(finder, text) == (alcaldia, colonia)


@pytest.mark.parametrize(
    ("text", "alcaldia"),
    [
        ("vaciar la fosa en San Pablo Oztotepec", "Milpa Alta"),
        ("se fue el agua en San Pablo Oztotepec", "Milpa Alta"),
        ("refrendar la fosa en el panteón de Dolores", "Miguel Hidalgo"),
    ],
)
def test_a_colonia_said_right_before_a_pueblo_is_the_pueblos_saint(
    finder: PlaceFinder, text: str, alcaldia: str
) -> None:
    """ "San Pablo Oztotepec" is the Milpa Alta pueblo, not the San Pablo of Iztapalapa whose
    name comes first; the City's large cemeteries are places too."""
    assert _place(finder, text)[0] == alcaldia

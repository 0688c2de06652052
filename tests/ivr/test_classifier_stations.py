"""Metro, Metrobús and Tren Ligero stations said as places: the shipped file and its use."""

from __future__ import annotations

import pytest

from ivr.classifier.places import PlaceFinder
from ivr.classifier.stations import STATIONS_FILE, Stations
from ivr.classifier.text import fold
from models.authorities import ALCALDIAS


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder.default()


def test_station_file_names_its_source_and_real_alcaldias() -> None:
    text = STATIONS_FILE.read_text(encoding="utf-8")
    assert "Source:" in text.split("nombre,")[0]
    stations = Stations.from_file()
    rows = [line.split(",") for line in text.splitlines() if not line.startswith("#")][1:]
    assert len(rows) >= 190
    assert {alcaldia for *_, alcaldia in rows} <= set(ALCALDIAS)
    assert stations.find(["metro", "tasquena"]) == stations.find(["metro", "taxquena"])


@pytest.mark.parametrize(
    ("text", "alcaldia"),
    [
        ("hay basura tirada por el metro Zapata", "Benito Juárez"),
        ("saliendo del metro Tacubaya hay un bache", "Miguel Hidalgo"),
        ("un señor durmiendo afuera del metro Pino Suárez", "Cuauhtémoc"),
        ("en la estación Pantitlán no sirve el elevador", "Venustiano Carranza"),
        ("en la estación del metro Hidalgo hay un perro herido", "Cuauhtémoc"),
        ("por el metrobús Insurgentes hay una fuga", "Cuauhtémoc"),
        ("junto al tren ligero Huipulco tiran basura", "Tlalpan"),
        ("por el metro Coyoacán no hay luz", "Benito Juárez"),
    ],
)
def test_station_said_as_a_place(finder: PlaceFinder, text: str, alcaldia: str) -> None:
    place = finder.find(fold(text).split())
    assert (place.alcaldia, place.colonia) == (alcaldia, None)


def test_station_needs_a_cue(finder: PlaceFinder) -> None:
    assert finder.find(fold("bache en Insurgentes a la altura de Xola").split()).alcaldia is None
    assert finder.find(fold("un hoyo de un metro de ancho").split()).alcaldia is None


def test_alcaldia_said_outranks_the_station(finder: PlaceFinder) -> None:
    place = finder.find(fold("por el metro Zapata en la Benito Juárez").split())
    assert place.alcaldia == "Benito Juárez" and not place.contradiction


def test_the_cue_stays_in_the_topic_unless_it_only_places(finder: PlaceFinder) -> None:
    words = fold("la escalera del metro Zapata no sirve").split()
    assert words.index("metro") not in finder.find(words).used
    words = fold("afuera del metro Zapata hay basura").split()
    assert words.index("metro") in finder.find(words).used


def test_a_station_the_list_lacks_is_read_as_its_colonia(finder: PlaceFinder) -> None:
    words = fold("el metrobús Álamos va lleno").split()
    found = finder.find(words)
    assert (found.alcaldia, found.colonia) == ("Benito Juárez", "Alamos")
    assert words.index("metrobus") not in found.used

"""Place extraction: alcaldías as people say them, colonias implying their alcaldía, streets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ivr.classifier.alcaldias import find_alcaldia
from ivr.classifier.build_data import derive, display, spoken_forms, tema_volumes
from ivr.classifier.places import COLONIAS_FILE, Place, PlaceFinder
from ivr.classifier.text import fold
from models.authorities import ALCALDIAS

SHARED_CDMX = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdmx"


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder.default()


def place(finder: PlaceFinder, text: str) -> Place:
    return finder.find(fold(text).split())


@pytest.mark.parametrize(
    ("said", "official"),
    [
        ("en la GAM", "Gustavo A. Madero"),
        ("por la Gustavo A. Madero", "Gustavo A. Madero"),
        ("en Cuauhtemoc", "Cuauhtémoc"),
        ("en la Magdalena Contreras", "La Magdalena Contreras"),
        ("allá en la Venus", "Venustiano Carranza"),
        ("en ista palapa", "Iztapalapa"),
        ("en sochimilco", "Xochimilco"),
        ("aqui en la benito juarez", "Benito Juárez"),
        ("en Álvaro Obregón", "Álvaro Obregón"),
        ("en Tláhuac", "Tláhuac"),
        ("en Cuajimalpa", "Cuajimalpa de Morelos"),
    ],
)
def test_alcaldia_as_people_say_it(said: str, official: str) -> None:
    match = find_alcaldia(fold(said).split())
    assert match is not None
    assert match.name == official


def test_every_official_name_is_found() -> None:
    for official in ALCALDIAS:
        match = find_alcaldia(fold(f"hay un bache en {official}").split())
        assert match is not None and match.name == official


def test_no_alcaldia_in_plain_complaint() -> None:
    assert find_alcaldia(fold("hay un bache enorme frente a mi casa").split()) is None


def test_colonia_implies_its_alcaldia(finder: PlaceFinder) -> None:
    found = place(finder, "hay un bache en la colonia Narvarte")
    assert (found.alcaldia, found.colonia, found.source) == ("Benito Juárez", "Narvarte", "colonia")
    assert not found.contradiction


def test_colonia_misheard_is_still_found(finder: PlaceFinder) -> None:
    assert place(finder, "colonia narbarte poniente").colonia == "Narvarte Poniente"


def test_colonia_without_cue_when_unmistakable(finder: PlaceFinder) -> None:
    found = place(finder, "se fue el agua en santa maria la ribera")
    assert (found.colonia, found.alcaldia) == ("Santa María la Ribera", "Cuauhtémoc")


def test_ordinary_words_are_not_colonias(finder: PlaceFinder) -> None:
    found = place(finder, "la venta de alcohol a menores")
    assert found.colonia is None and found.alcaldia is None


def test_contradiction_is_flagged_and_named_alcaldia_kept(finder: PlaceFinder) -> None:
    found = place(finder, "fuga en la colonia Del Valle en Coyoacán")
    assert found.contradiction
    assert found.alcaldia == "Coyoacán"
    assert found.named_alcaldia == "Coyoacán"
    assert found.colonia_alcaldias == ("Benito Juárez",)


def test_ambiguous_colonia_resolved_by_named_alcaldia(finder: PlaceFinder) -> None:
    found = place(finder, "colonia Emiliano Zapata en Coyoacán")
    assert found.alcaldia == "Coyoacán" and not found.contradiction
    alone = place(finder, "colonia Emiliano Zapata")
    assert alone.alcaldia is None and len(alone.colonia_alcaldias) > 1


def test_colonia_named_like_an_alcaldia(finder: PlaceFinder) -> None:
    found = place(finder, "no hay luz en la colonia Benito Juárez")
    assert found.named_alcaldia is None
    assert "Benito Juárez" not in found.colonia_alcaldias


def test_street_names_are_not_alcaldias(finder: PlaceFinder) -> None:
    found = place(finder, "bache en avenida Tláhuac colonia Los Olivos en Tláhuac")
    assert found.street == "Avenida Tlahuac"
    assert found.alcaldia == "Tláhuac" and found.source == "named"


def test_place_words_are_reported_as_used(finder: PlaceFinder) -> None:
    words = fold("fuga de agua en Iztapalapa").split()
    used = finder.find(words).used
    assert [w for i, w in enumerate(words) if i not in used] == ["fuga", "de", "agua", "en"]


def test_spoken_forms_of_a_colonia() -> None:
    assert list(spoken_forms("PUEBLO SAN MIGUEL AMANTLA"))[:2] == [
        "pueblo san miguel amantla",
        "san miguel amantla",
    ]
    assert "roma" in set(spoken_forms("ROMA NORTE"))
    assert "lindavista vallejo" in set(spoken_forms("LINDAVISTA VALLEJO 2A SECCION"))
    assert display("AMPLIACION DEL GAS") == "Ampliación del Gas"


@pytest.mark.skipif(not SHARED_CDMX.exists(), reason="../shared is not beside the repo")
def test_shipped_file_is_derived_from_the_city_catalogue() -> None:
    with (SHARED_CDMX / "colonias.csv").open(encoding="utf-8-sig", newline="") as handle:
        derived = derive(csv.DictReader(handle))
    with COLONIAS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle)]
    assert rows[0] == ("key", "colonia", "alcaldia")
    assert rows[1:] == derived


def test_tema_volumes_match_differently_spelled_temas() -> None:
    rows = [
        {"tema": "SOLICITUD DE AUDIENCIA", "total_incidencias": "8"},
        {"tema": "BACHEO", "total_incidencias": "3066"},
    ]
    volumes = dict(tema_volumes(rows, ["SOLICITU DE AUDIENCIA", "BACHEO", "COVID"]))
    assert volumes == {"SOLICITU DE AUDIENCIA": 8, "BACHEO": 3066, "COVID": 0}


def test_colonia_after_en_la_unless_an_ordinary_word(finder: PlaceFinder) -> None:
    ordinary = frozenset({"venta", "alcohol", "coladera"})
    found = finder.find(
        fold("me robaron la tapa de la coladera en la Narvarte").split(), ordinary=ordinary
    )
    assert (found.colonia, found.alcaldia) == ("Narvarte", "Benito Juárez")
    sale = finder.find(fold("denuncio la venta de alcohol").split(), ordinary=ordinary)
    assert sale.colonia is None
    led = finder.find(fold("hay venta en la venta de alcohol").split(), ordinary=ordinary)
    assert led.colonia is None


def test_street_name_stops_at_catalogue_words(finder: PlaceFinder) -> None:
    words = fold("se encharca toda la calle parece laguna").split()
    assert finder.find(words, ordinary=frozenset({"laguna", "parece"})).street is None
    assert finder.find(fold("fuga en la calle Xola").split()).street == "Calle Xola"


@pytest.mark.parametrize(
    ("said", "colonia"),
    [
        ("bache en la colonia Moctezuma segunda sección", "Moctezuma 2 A Sección"),
        ("fuga en Polanco tercera sección", "Polanco III Sección"),
        ("se cae la barda en la Arenal 4a sección", "Arenal 4 A Sección"),
    ],
)
def test_section_said_any_way(finder: PlaceFinder, said: str, colonia: str) -> None:
    found = place(finder, said)
    assert found.colonia == colonia
    assert len(found.colonia_alcaldias) == 1 and found.alcaldia == found.colonia_alcaldias[0]


def test_colonia_by_a_distinctive_part_of_its_name(finder: PlaceFinder) -> None:
    assert place(finder, "no pasa la basura en la Gertrudis").alcaldia == "Gustavo A. Madero"
    balbuena = place(finder, "puestos en la Balbuena")  # Jardín or Merced Balbuena
    assert (balbuena.alcaldia, balbuena.colonia) == ("Venustiano Carranza", None)
    assert place(finder, "un árbol caído en la Lomas").alcaldia is None  # in many alcaldías


def test_colonia_holding_an_alcaldia_name(finder: PlaceFinder) -> None:
    teotongo = place(finder, "una pipa a San Miguel Teotongo")
    assert (teotongo.colonia, teotongo.alcaldia) == ("San Miguel Teotongo", "Iztapalapa")
    assert teotongo.named_alcaldia is None
    tlalpan = place(finder, "un hoyo en la Miguel Hidalgo segunda sección de Tlalpan")
    assert (tlalpan.alcaldia, tlalpan.contradiction) == ("Tlalpan", False)


def test_longer_colonia_wins_over_one_inside_it(finder: PlaceFinder) -> None:
    assert place(finder, "sin luz en la Guadalupe Tepeyac").colonia == "Guadalupe Tepeyac"
    unidad = place(finder, "toda la unidad de la Agrícola Oriental sin agua")
    assert (unidad.colonia, unidad.alcaldia) == ("Agrícola Oriental", "Iztacalco")


def test_colonia_right_after_en_unless_a_primary_road(finder: PlaceFinder) -> None:
    assert place(finder, "fuga de agua en Polanco").alcaldia == "Miguel Hidalgo"
    assert place(finder, "un perro herido en Tlatelolco").alcaldia == "Cuauhtémoc"
    road = place(finder, "semáforo fundido en Insurgentes")  # also a colonia in Iztapalapa
    assert road.colonia is None and road.alcaldia is None


@pytest.mark.parametrize(
    ("text", "colonia", "street"),
    [
        ("llantas tiradas en la calle de la Guerrero", "Guerrero", None),
        ("la calle de la Cuchilla del Moral no tiene lámparas", "Cuchilla del Moral", None),
        ("bache en la calle de Tacuba", None, "Calle De Tacuba"),
        ("bache en la calle de la Amargura", None, "Calle De La Amargura"),
    ],
)
def test_a_colonia_after_la_calle_de_la_is_not_a_street(
    finder: PlaceFinder, text: str, colonia: str | None, street: str | None
) -> None:
    found = place(finder, text)
    assert (found.colonia, found.street) == (colonia, street)


def test_a_shared_name_said_of_another_alcaldia_is_its_part(finder: PlaceFinder) -> None:
    found = place(finder, "hay basura en el centro de Coyoacán")
    assert (found.alcaldia, found.colonia, found.contradiction) == ("Coyoacán", None, False)
    found = place(finder, "hay basura en la colonia Del Valle de Coyoacán")
    assert found.contradiction


@pytest.mark.parametrize(
    ("text", "alcaldia", "colonia"),
    [
        ("hay basura en la Miguel Hidalgo de Tlalpan", "Tlalpan", "Miguel Hidalgo"),
        ("hay basura en la Benito Juárez de Iztapalapa", "Iztapalapa", "Benito Juárez"),
        ("hay un bache en la Cuauhtémoc de la Magdalena Contreras", "La Magdalena Contreras",
         "Cuauhtemoc"),
    ],
)  # fmt: skip
def test_a_colonia_named_after_an_alcaldia_said_of_another(
    finder: PlaceFinder, text: str, alcaldia: str, colonia: str
) -> None:
    found = place(finder, text)
    assert (found.alcaldia, found.colonia, found.contradiction) == (alcaldia, colonia, False)


def test_a_saints_name_is_no_alcaldia(finder: PlaceFinder) -> None:
    assert find_alcaldia(fold("hay basura en san miguel").split()) is None
    found = place(finder, "hay un bache en San Miguel Topilejo")
    assert (found.alcaldia, found.colonia) == ("Tlalpan", "San Miguel Topilejo")


@pytest.mark.parametrize(
    ("said", "alcaldia", "colonia"),
    [
        ("hay basura en la Granjas San Antonio", "Iztapalapa", "Granjas de San Antonio"),
        ("hay basura en la Santa María Ribera", "Cuauhtémoc", "Santa María la Ribera"),
    ],
)
def test_colonia_said_without_its_inner_de_or_la(
    finder: PlaceFinder, said: str, alcaldia: str, colonia: str
) -> None:
    found = place(finder, said)
    assert (found.alcaldia, found.colonia) == (alcaldia, colonia)


@pytest.mark.parametrize(
    ("said", "alcaldia", "colonia"),
    [
        ("la Roma", "Cuauhtémoc", "Roma"),
        ("Narvarte", "Benito Juárez", "Narvarte"),
        ("mi colonia es la Moctezuma", "Venustiano Carranza", "Moctezuma"),
        ("por el rumbo de Tacubaya hay un bache", "Miguel Hidalgo", "Tacubaya"),
    ],
)
def test_colonia_said_alone_or_after_rumbo_de(
    finder: PlaceFinder, said: str, alcaldia: str, colonia: str
) -> None:
    found = place(finder, said)
    assert (found.alcaldia, found.colonia) == (alcaldia, colonia)


def test_a_catalogue_word_alone_is_no_colonia(finder: PlaceFinder) -> None:
    words = fold("tránsito").split()
    assert finder.find(words, ordinary={"transito"}).colonia is None
    assert finder.find(fold("cerca de Insurgentes").split()).colonia is None

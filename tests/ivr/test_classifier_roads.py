"""Primary roads recognised in what callers say, over the shipped list; the place read from a
spoken reference (street, colonia, road class)."""

from __future__ import annotations

import doctest

import pytest
from sqlalchemy import Engine

import ivr.classifier.roads
import ivr.flow.place_reading
import models.primary_roads
from ivr.classifier.roads import PrimaryRoads
from ivr.flow import CallState, Directory
from ivr.flow.place_reading import read_place
from models.primary_roads import PRIMARY_ROADS_FILE, read_roads
from models.requests import RoadClass


@pytest.fixture(scope="module")
def roads() -> PrimaryRoads:
    return PrimaryRoads((road.name, road.aliases) for road in read_roads(PRIMARY_ROADS_FILE))


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("Avenida Montevideo esquina con Insurgentes Norte", "Eje 5 Norte"),
        ("en insurgentes norte a la altura de la glorieta", "Avenida Insurgentes Norte"),
        ("Av. Insurgentes frente al metrobús", "Avenida de los Insurgentes"),
        ("AVENIDA DE LOS INSURGENTES SUR 1500", "Avenida Insurgentes Sur"),
        ("sobre el Periférico, saliendo de Perisur", "Anillo Periférico"),
        ("en el periferico sur", "Anillo Periférico"),
        ("eje 5 sur casi esquina con roble", "Eje 5 Sur"),
        ("en el eje cinco sur", "Eje 5 Sur"),
        ("Eje 3 Ote. y Añil", "Eje 3 Oriente"),
        ("Calz. de Tlalpan, a la altura del metro Portales", "Calzada de Tlalpan"),
        ("en calzada tlalpan", "Calzada de Tlalpan"),
        ("viaducto tlalpan a la altura de la caseta", "Viaducto Tlalpan"),
        ("en el viaducto junto a la gasolinera", "Viaducto Miguel Alemán"),
        ("Circuito Interior a la altura de Río Consulado", "Circuito Interior"),
        ("rio churubusco y tezontle", "Avenida Río Churubusco"),
        ("en Ermita Iztapalapa frente al metro", "Calzada Ermita Iztapalapa"),
        ("Calzada Ignacio Zaragoza, por el metro Guelatao", "Calzada Ignacio Zaragoza"),
        ("Paseo de la Reforma frente al Ángel", "Paseo de la Reforma"),
        ("avenida tláhuac esquina con la estación", "Avenida Tláhuac"),
    ],
)
def test_primary_roads_as_callers_say_them(roads: PrimaryRoads, said: str, name: str) -> None:
    found = roads.find(said)
    assert found is not None and found.name == name, found


@pytest.mark.parametrize(
    "said",
    [
        "calle Morelos esquina con Juárez",
        "en la calle Zaragoza, colonia Centro",  # a secondary street shares the name
        "colonia Insurgentes Mixcoac, frente al parque",  # a colonia shares it too
        "privada de Tlalpan número 4",
        "en Tlalpan, cerca del mercado",  # the alcaldía, not the calzada
        "por la universidad, junto a la papelería",
        "",
    ],
)
def test_secondary_streets_and_places_are_not_primary_roads(roads: PrimaryRoads, said: str) -> None:
    assert roads.find(said) is None


def test_an_empty_list_finds_nothing() -> None:
    assert PrimaryRoads([]).find("Periférico") is None and len(PrimaryRoads([])) == 0


def call(**fields: object) -> CallState:
    return CallState(call_id="R1", transport="twilio", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "street", "colonia", "road_class"),
    [
        (
            {"reference": "calzada de tlalpan esquina con la colonia Portales", "alcaldia": None},
            "Calzada de Tlalpan",
            "Portales",
            RoadClass.PRIMARY,
        ),
        (
            {"reference": "en el eje cinco sur, frente al mercado", "alcaldia": "Iztacalco"},
            "Eje 5 Sur",
            None,
            RoadClass.PRIMARY,
        ),
        (
            {
                "reference": "frente a la escuela primaria",
                "description": "hay un bache enorme en el Periférico",
            },
            "Anillo Periférico",
            None,
            RoadClass.PRIMARY,
        ),
        (
            {"reference": "calle Roble 12, colonia Granjas México", "alcaldia": "Iztacalco"},
            "Calle Roble 12",  # the number too
            "Granjas Mexico",
            RoadClass.SECONDARY,
        ),
        (  # a colonia of another alcaldía is not stored (the place step asks about those)
            {"reference": "calle Roble 12, colonia Granjas México", "alcaldia": "Tlalpan"},
            "Calle Roble 12",
            None,
            RoadClass.SECONDARY,
        ),
        (  # the colonia the caller already gave is kept
            {"reference": "calle Roble, colonia Granjas México", "colonia": "Agrícola Oriental"},
            "Calle Roble",
            "Agrícola Oriental",
            RoadClass.SECONDARY,
        ),
        ({"reference": "frente a la tienda de la esquina"}, None, None, None),
        (  # a colonia that bears a road's name is no road; the road said after it is
            {"reference": "en la Guadalupe Insurgentes, sobre Montevideo", "alcaldia": None},
            "Eje 5 Norte",
            "Guadalupe Insurgentes",
            RoadClass.PRIMARY,
        ),
        (
            {"reference": "en la Reforma Iztaccihuatl frente al kinder", "alcaldia": None},
            None,
            "Reforma Iztaccihuatl",
            None,
        ),
    ],
)
async def test_the_place_read_from_the_reference(
    engine: Engine,
    fields: dict[str, str | None],
    street: str | None,
    colonia: str | None,
    road_class: RoadClass | None,
) -> None:
    read = await read_place(Directory(engine=engine), call(**fields))
    assert (read.street, read.colonia, read.road_class) == (street, colonia, road_class)


@pytest.mark.parametrize(
    "module", [ivr.classifier.roads, ivr.flow.place_reading, models.primary_roads]
)
def test_the_examples_in_the_docstrings_hold(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]

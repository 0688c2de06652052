"""The primary roads' table: seeded once from the shipped file, kept by administrators, each
change announced; migrated and seeded on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from models.config import Settings
from models.db import make_engine, session_scope, upgrade
from models.events import BaseEvent, ReferenceDataChanged
from models.primary_roads import (
    PRIMARY_ROADS_FILE,
    InvalidRoad,
    PrimaryRoad,
    add_road,
    read_roads,
    remove_road,
    seed_roads,
    set_aliases,
)
from suac.container import prepare_database


def shipped_names() -> set[str]:
    return {road.name for road in read_roads(PRIMARY_ROADS_FILE)}


def stored(engine: Engine) -> dict[str, list[str]]:
    with session_scope(engine) as session:
        return {road.name: road.aliases for road in session.exec(select(PrimaryRoad))}


def test_the_shipped_file_names_its_source_and_the_main_roads() -> None:
    text = PRIMARY_ROADS_FILE.read_text(encoding="utf-8")
    assert text.startswith("# Vialidades primarias") and "Fuente:" in text
    roads = {road.name: road.aliases for road in read_roads(PRIMARY_ROADS_FILE)}
    assert len(roads) == len(read_roads(PRIMARY_ROADS_FILE))  # no name twice
    for name in ("Anillo Periférico", "Circuito Interior", "Calzada de Tlalpan", "Eje 5 Sur"):
        assert name in roads
    assert "Insurgentes Norte" in roads["Avenida Insurgentes Norte"]


def test_seeded_once_then_left_to_the_administrators(engine: Engine) -> None:
    assert set(stored(engine)) == shipped_names()  # prepare_database seeded it
    staged: list[BaseEvent] = []

    def stage(session: Session, event: BaseEvent) -> None:
        staged.append(event)

    with session_scope(engine) as session:
        remove_road(session, "Anillo Periférico", stage)
        add_road(session, "  Avenida   Gran Canal ", ["Gran Canal"], stage)
        set_aliases(session, "Eje 5 Sur", ["Eugenia"], stage)
    assert seed_roads(engine) == 0  # a kept list is never reseeded
    roads = stored(engine)
    assert "Anillo Periférico" not in roads and roads["Avenida Gran Canal"] == ["Gran Canal"]
    assert roads["Eje 5 Sur"] == ["Eugenia"]
    changes = [(type(e), getattr(e, "what", None)) for e in staged]
    assert changes == [(ReferenceDataChanged, "primary_roads")] * 3


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "nombre oficial"), ("x" * 121, "nombre oficial"), ("Eje 5 Sur", "ya está")],
)
def test_refused_names(engine: Engine, name: str, message: str) -> None:
    with session_scope(engine) as session, pytest.raises(InvalidRoad, match=message):
        add_road(session, name, [], lambda s, e: None)


@pytest.mark.postgres
def test_migrated_and_seeded_on_postgresql(pg_settings: Settings) -> None:
    engine = make_engine(pg_settings.resolved_database_url)
    upgrade(engine)
    assert "primary_road" in inspect(engine).get_table_names()
    prepare_database(pg_settings).dispose()
    assert set(stored(engine)) == shipped_names()
    engine.dispose()

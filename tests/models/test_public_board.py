"""The public board's data: the latest rows by filter (public columns only), and the map's
counts by alcaldía and by rounded cell, where a thin cell is never shown; on SQLite and on
PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from models.db import session_scope
from models.public_board import (
    MAP_DAYS,
    BoardFilter,
    Cell,
    PublicRow,
    UnknownBoardFilter,
    board_map,
    category_choices,
    latest_rows,
    public_row,
)
from models.requests import ServiceRequest

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def seed(engine: Engine, *requests: dict[str, object]) -> None:
    """Requests with a citizen's data; ``minutes`` ago (default: their order)."""
    with session_scope(engine) as session:
        for number, spec in enumerate(requests, start=1):
            values = {
                "catalogue_code": "ALU-001",
                "alcaldia": "Tlalpan",
                "colonia": "Toriello Guerra",
                "status": "assigned",
                **spec,
            }
            minutes = int(values.pop("minutes", number))  # type: ignore[call-overload]
            session.add(
                ServiceRequest(
                    folio=f"26{number:07d}0",
                    kind="servicio",
                    channel="web",
                    received_at=NOW - timedelta(minutes=minutes),
                    citizen_name="Rosa Martínez",
                    citizen_phone="+525511112222",
                    street="Calle Secreta 12",
                    description="Frente a mi casa",
                    **values,
                )
            )


def test_latest_rows_newest_first_by_filter_with_public_fields_only(both_databases: Engine) -> None:
    seed(
        both_databases,
        {"minutes": 30},
        {"minutes": 10, "alcaldia": "Coyoacán", "colonia": "Del Carmen", "status": "received"},
        {"minutes": 20, "catalogue_code": "VIA-001", "status": "answered"},
    )
    with session_scope(both_databases, readonly=True) as session:
        every = latest_rows(session, BoardFilter())
        assert [row.folio for row in every] == ["2600000020", "2600000030", "2600000010"]
        first = every[0]
        assert first == PublicRow(
            folio="2600000020",
            folio_display="26-0000002-0",
            catalogue_code="ALU-001",
            category_name="Luminaria apagada",
            alcaldia="Coyoacán",
            colonia="Del Carmen",
            status="received",
            status_label="recibida",
            received_at=NOW - timedelta(minutes=10),
        )
        tlalpan = latest_rows(session, BoardFilter(alcaldia="Tlalpan"))
        assert [row.folio for row in tlalpan] == ["2600000030", "2600000010"]
        answered = latest_rows(session, BoardFilter("Tlalpan", "VIA-001", "answered"))
        assert [(row.category_name, row.status_label) for row in answered] == [
            ("Bache en calle", "atendida")
        ]
        assert latest_rows(session, BoardFilter(status="closed")) == []
        assert len(latest_rows(session, BoardFilter(), limit=2)) == 2
        assert public_row(session, "2600000030") == answered[0]
        assert public_row(session, "2699999990") is None


def test_map_counts_by_alcaldia_and_rounded_cells_of_three_or_more(both_databases: Engine) -> None:
    near = [
        (19.2861, -99.1681),
        (19.2899, -99.1659),
        (19.2851, -99.1702),
    ]  # one cell: 19.29, -99.17
    seed(
        both_databases,
        *({"latitude": lat, "longitude": lon} for lat, lon in near),
        {"latitude": 19.3501, "longitude": -99.1623, "alcaldia": "Coyoacán"},  # alone: hidden
        {"latitude": 19.3499, "longitude": -99.1617, "alcaldia": "Coyoacán"},  # two: hidden
        {"latitude": 19.2862, "longitude": -99.1682, "minutes": (MAP_DAYS + 1) * 24 * 60},  # old
        {"alcaldia": "Coyoacán", "status": "closed"},  # no coordinates
    )
    with session_scope(both_databases, readonly=True) as session:
        where = board_map(session, BoardFilter(), now=NOW)
        assert where.since == NOW - timedelta(days=MAP_DAYS)
        assert dict(where.alcaldias) == {"Tlalpan": 3, "Coyoacán": 3}
        assert where.cells == [Cell(19.29, -99.17, 3)]
        closed = board_map(session, BoardFilter(status="closed"), now=NOW)
        assert (dict(closed.alcaldias), closed.cells) == ({"Coyoacán": 1}, [])
        coyoacan = board_map(session, BoardFilter(alcaldia="Coyoacán"), now=NOW)
        assert coyoacan.cells == []


def test_filters_parse_the_forms_values_and_refuse_unknown_ones() -> None:
    categories = {"ALU-001"}
    parsed = BoardFilter.parse(
        alcaldia=" Tlalpan ", categoria="", estado="closed", categories=categories
    )
    assert parsed == BoardFilter(alcaldia="Tlalpan", status="closed")
    assert parsed.query() == {"alcaldia": "Tlalpan", "estado": "closed"}
    assert parsed.any_status() == BoardFilter(alcaldia="Tlalpan")
    with pytest.raises(UnknownBoardFilter, match="Esa alcaldía no existe"):
        BoardFilter.parse(alcaldia="Gotham", categoria="", estado="", categories=categories)
    with pytest.raises(UnknownBoardFilter, match="Esa categoría no existe"):
        BoardFilter.parse(alcaldia="", categoria="XXX-1", estado="", categories=categories)
    with pytest.raises(UnknownBoardFilter, match="Ese estado no existe"):
        BoardFilter.parse(alcaldia="", categoria="", estado="perdida", categories=categories)


def test_category_choices_by_tema(engine: Engine) -> None:
    with session_scope(engine, readonly=True) as session:
        groups = dict(category_choices(session))
    assert ("ALU-001", "Luminaria apagada") in groups["ALUMBRADO"]
    assert list(groups) == sorted(groups)

"""The public statistics against periods counted by hand: holidays, the City's winter break,
and two authorities with different calendars (see ``public_stats_support``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.authority_performance import Period
from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.db import make_engine, upgrade
from models.notifier import Notifier
from models.public_stats import (
    COLUMNS,
    PublicStatistics,
    StatRow,
    public_statistics,
    statistics_rows,
)
from models.request_service import RequestService
from suac.container import prepare_database
from tests.models.public_stats_support import (
    ANSWER,
    DECEMBER,
    NOW,
    PERSONAL,
    Clock,
    answer,
    local,
    register,
    seed_december,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The embedded SQLite database, then a real PostgreSQL one (both seeded)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("engine")
        return
    settings = request.getfixturevalue("pg_settings")
    migrating = make_engine(settings.resolved_database_url)
    upgrade(migrating)
    migrating.dispose()
    engine = prepare_database(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def timed(
    db: Engine, calendar: BusinessCalendar, bus: InProcessBus, clock: Clock
) -> RequestService:
    return RequestService(
        engine=db, calendar=calendar, notifier=Notifier(engine=db, bus=bus), clock=clock
    )


def statistics(
    engine: Engine, calendar: BusinessCalendar, period: Period = DECEMBER, now: datetime = NOW
) -> PublicStatistics:
    with Session(engine) as session:
        return public_statistics(session, calendar, period, now=now)


def row(rows: list[StatRow], key: str | None) -> StatRow:
    return next(one for one in rows if one.key == key)


def counts(one: StatRow) -> tuple[object, ...]:
    f = one.figures
    return (f.received, f.answered, f.on_time, f.still_open, f.overdue, f.median_days)


async def test_each_authority_by_its_own_calendar(
    timed: RequestService, clock: Clock, db: Engine, calendar: BusinessCalendar
) -> None:
    folios = await seed_december(timed, clock)
    sac = await timed.get(folios["sac_day5"])
    tlp = await timed.get(folios["tlp_day5"])
    assert calendar.due_date(sac.received_at, "SACMEX") == date(2026, 12, 31)
    assert calendar.due_date(tlp.received_at, "ALC-TLP") == date(2027, 1, 11)

    stats = statistics(db, calendar)

    sacmex = row(stats.authorities, "SACMEX")  # days 5 (on time) and 6 (late); one overdue
    assert counts(sacmex) == (3, 2, 1, 1, 1, 5.5)
    assert sacmex.figures.answer_days == Counter({5: 1, 6: 1})
    assert sacmex.on_time_percent == 33.3
    tlalpan = row(stats.authorities, "ALC-TLP")  # days 2, 5 (on time), 6; open within term
    assert counts(tlalpan) == (4, 3, 2, 1, 0, 5)
    assert tlalpan.figures.answer_days == Counter({2: 1, 5: 1, 6: 1})
    assert tlalpan.on_time_percent == 50.0

    assert counts(row(stats.alcaldias, "Coyoacán")) == (2, 2, 1, 0, 0, 5.5)
    assert counts(row(stats.alcaldias, "Tlalpan")) == (5, 3, 2, 2, 1, 5)
    assert counts(stats.total) == (7, 5, 3, 2, 1, 5)  # days 2, 5, 5, 6, 6

    assert [(c.code, c.received) for c in tlalpan.top] == [("VIA-001", 4)]
    assert [(c.code, c.received) for c in row(stats.alcaldias, "Tlalpan").top] == [
        ("VIA-001", 4),
        ("AGU-001", 1),
    ]
    assert [(c.code, c.received) for c in stats.categories] == [("VIA-001", 4), ("AGU-001", 3)]
    assert all(c.name and c.name != c.code for c in stats.categories)


async def test_holidays_move_the_deadline(
    timed: RequestService, clock: Clock, db: Engine, calendar: BusinessCalendar
) -> None:
    """Monday 16 November 2026 (Revolución) and Monday 2 November (Día de Muertos, City-wide)
    are not business days: received Friday 13 at 10:00 is due Monday 23; at 18:30 (after the
    cut-off) it counts from Tuesday 17 and is due Tuesday 24; received Sunday 1 it counts
    from Tuesday 3 and is due Tuesday 10."""
    clock.now = local(2026, 11, 13, 10)
    day5 = await register(timed, "AGU-001", "Tlalpan")
    day6 = await register(timed, "AGU-001", "Tlalpan")
    clock.now = local(2026, 11, 13, 18).replace(minute=30)
    evening = await register(timed, "AGU-001", "Tlalpan")
    clock.now = local(2026, 11, 1, 12)
    sunday = await register(timed, "VIA-001", "Tlalpan")
    assert calendar.due_date(local(2026, 11, 13, 10), "SACMEX") == date(2026, 11, 23)
    assert (await timed.get(evening)).due_at == local(2026, 11, 24, 23).replace(
        minute=59, second=59, microsecond=999999
    )
    assert calendar.due_date(local(2026, 11, 1, 12), "ALC-TLP") == date(2026, 11, 10)
    await answer(timed, clock, day5, local(2026, 11, 23, 17))
    await answer(timed, clock, day6, local(2026, 11, 24, 9))  # day 6: late
    await answer(timed, clock, evening, local(2026, 11, 24, 9))  # the same moment: day 5
    await answer(timed, clock, sunday, local(2026, 11, 10, 16))

    stats = statistics(db, calendar, Period(date(2026, 11, 1), date(2026, 11, 30)))

    sacmex = row(stats.authorities, "SACMEX")
    assert counts(sacmex) == (3, 3, 2, 0, 0, 5)
    assert sacmex.figures.answer_days == Counter({5: 2, 6: 1})
    tlalpan = row(stats.authorities, "ALC-TLP")
    assert counts(tlalpan) == (1, 1, 1, 0, 0, 5)


async def test_ranking_counts_only_authorities_with_enough_requests(
    timed: RequestService, clock: Clock, db: Engine, calendar: BusinessCalendar
) -> None:
    await seed_december(timed, clock)
    stats = statistics(db, calendar)
    # Tlalpan answered 50 % in time, SACMEX 33.3 %
    assert [one.key for one in stats.ranking(3)] == ["ALC-TLP", "SACMEX"]
    assert [one.key for one in stats.ranking(4)] == ["ALC-TLP"]
    assert stats.ranking(5) == []


async def test_rows_for_open_data(
    timed: RequestService, clock: Clock, db: Engine, calendar: BusinessCalendar
) -> None:
    await seed_december(timed, clock)
    rows = statistics_rows(db, start=DECEMBER.first, end=DECEMBER.last, calendar=calendar, now=NOW)
    assert all(tuple(one) == COLUMNS for one in rows)
    assert [(one["ambito"], one["clave"]) for one in rows] == [
        ("autoridad", "ALC-TLP"),
        ("autoridad", "SACMEX"),
        ("alcaldia", "Coyoacán"),
        ("alcaldia", "Tlalpan"),
    ]
    sacmex = rows[1]
    assert sacmex == sacmex | {
        "nombre": "Sistema de Aguas de la Ciudad de México",
        "periodo_desde": "2026-12-01",
        "periodo_hasta": "2026-12-31",
        "recibidas": 3,
        "respondidas": 2,
        "respondidas_en_plazo": 1,
        "porcentaje_en_plazo": 33.3,
        "abiertas": 1,
        "vencidas": 1,
        "rechazadas": 0,
        "mediana_dias_habiles": 5.5,
        "categoria_1_clave": "AGU-001",
        "categoria_1_recibidas": 3,
        "categoria_2_clave": None,
    }
    text = json.dumps(rows, ensure_ascii=False)
    for value in [*PERSONAL.values(), ANSWER, "5598", "1234"]:
        assert value not in text


async def test_an_empty_period(db: Engine, calendar: BusinessCalendar) -> None:
    stats = statistics(db, calendar)
    assert stats.rows() == []
    assert counts(stats.total) == (0, 0, 0, 0, 0, None)
    assert stats.total.on_time_percent is None
    assert stats.ranking(1) == []

"""The authorities' performance, against cases counted by hand.

The calendar: SACMEX does not work on Wednesday 7 October 2026 (its own non-working day); the
City and Alcaldía Tlalpan do. Requests received on Monday 5 October at 10:00 count from that
Monday, so SACMEX's 5th business day is Tuesday 13 (6, 8, 9, 12, 13) and Tlalpan's is
Monday 12 (6, 7, 8, 9, 12).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.answer_days import AnswerDays
from models.authority_performance import Figures, Period, performance_report
from models.bus import InProcessBus
from models.business_days import MEXICO_CITY, AuthorityDays, BusinessCalendar
from models.inbox import InboxScope
from models.notifier import Notifier
from models.overdue_list import OverdueFilter, overdue_page
from models.request_service import RequestService
from models.requests import Channel, RequestCreate

MONDAY_10 = datetime(2026, 10, 5, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def local(day: int, hour: int) -> datetime:
    """An instant of October 2026 given in Mexico City's time."""
    return datetime(2026, 10, day, hour, 0, tzinfo=MEXICO_CITY)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar(
        city_wide=set(),
        authorities={"SACMEX": AuthorityDays(extra={date(2026, 10, 7)})},
        covered_years={2026},
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def timed(
    engine: Engine, calendar: BusinessCalendar, bus: InProcessBus, clock: Clock
) -> RequestService:
    return RequestService(
        engine=engine, calendar=calendar, notifier=Notifier(engine=engine, bus=bus), clock=clock
    )


async def register(service: RequestService, code: str, alcaldia: str = "Tlalpan") -> str:
    """AGU-001 goes to SACMEX/DGAP, AGU-002 to SACMEX/DEO, VIA-001 to the alcaldía/DGODU."""
    request = await service.register(
        RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia=alcaldia),
        actor="agente:ana",
    )
    return request.folio


async def answer(service: RequestService, clock: Clock, folio: str, at: datetime) -> None:
    clock.now = at
    request = await service.get(folio)
    assert request.unit_code is not None
    await service.answer(
        folio,
        text="Atendida.",
        responsible_person="Ing. Ruiz",
        unit_code=request.unit_code,
        actor="autoridad:luz",
    )


@pytest.fixture
async def october(timed: RequestService, clock: Clock) -> dict[str, str]:
    """The hand-counted month (see each request's comment)."""
    folios = {
        "day5": await register(timed, "AGU-001"),  # answered Tuesday 13: day 5, on time
        "day6": await register(timed, "AGU-001"),  # answered Wednesday 14: day 6, late
        "day4": await register(timed, "AGU-002"),  # answered Monday 12: day 4
        "tlalpan": await register(timed, "VIA-001"),  # answered Tuesday 13: day 6 for Tlalpan
        "handed": await register(timed, "AGU-001"),  # handed to SOBSE: re-assigned away
        "rejected": await register(timed, "AGU-002"),
        "overdue": await register(timed, "AGU-001"),  # still open on the 20th
        "moved": await register(timed, "AGU-001"),  # DGAP → DEO inside SACMEX, still open
    }
    await timed.hand_over(
        folios["handed"],
        authority_code="SOBSE",
        unit_code="DGOIV",
        reason="Vía primaria.",
        actor="autoridad:luz",
    )
    await timed.reject(folios["rejected"], reason="No es competencia.", actor="autoridad:luz")
    await timed.assign_unit(
        folios["moved"], unit_code="DEO", actor="autoridad:luz", scope=InboxScope("SACMEX")
    )
    await answer(timed, clock, folios["day4"], local(12, 11))
    await answer(timed, clock, folios["day5"], local(13, 17))
    await answer(timed, clock, folios["tlalpan"], local(13, 9))
    await answer(timed, clock, folios["day6"], local(14, 10))
    clock.now = local(20, 12)
    return folios


def report_for(engine: Engine, calendar: BusinessCalendar, now: datetime, period: Period = OCTOBER):
    with Session(engine) as session:
        return performance_report(session, calendar, period, now=now)


def figures(rows, key: str) -> Figures:  # noqa: ANN001
    return next(row.figures for row in rows if row.key == key)


async def test_each_authority_by_its_own_calendar(
    october: dict[str, str], engine: Engine, calendar: BusinessCalendar, clock: Clock
) -> None:
    report = report_for(engine, calendar, clock.now)

    sacmex = figures(report.authorities, "SACMEX")
    assert (sacmex.received, sacmex.answered, sacmex.on_time) == (6, 3, 2)
    assert (sacmex.overdue, sacmex.rejected, sacmex.reassigned_away) == (2, 1, 1)
    assert sacmex.answer_days == Counter({4: 1, 5: 1, 6: 1})
    assert sacmex.median_days == 5

    tlalpan = figures(report.authorities, "ALC-TLP")  # the same Tuesday is late here
    assert (tlalpan.received, tlalpan.answered, tlalpan.on_time) == (1, 1, 0)
    assert tlalpan.answer_days == Counter({6: 1})

    sobse = figures(report.authorities, "SOBSE")  # holds the handed request now
    assert (sobse.received, sobse.reassigned_away) == (1, 0)

    assert report.total.received == 8
    assert report.total.reassigned_away == 1


async def test_units_count_a_move_inside_the_authority(
    october: dict[str, str], engine: Engine, calendar: BusinessCalendar, clock: Clock
) -> None:
    sacmex = next(
        row for row in report_for(engine, calendar, clock.now).authorities if row.key == "SACMEX"
    )
    dgap, deo = figures(sacmex.units, "DGAP"), figures(sacmex.units, "DEO")
    # DGAP: day5, day6 and overdue stay; handed (to SOBSE) and moved (to DEO) left it
    assert (dgap.received, dgap.reassigned_away, dgap.on_time) == (3, 2, 1)
    # DEO: day4, rejected, and moved arrived
    assert (deo.received, deo.rejected, deo.overdue, deo.reassigned_away) == (3, 1, 1, 0)
    assert deo.median_days == 4


async def test_alcaldia_and_category_tables(
    october: dict[str, str], engine: Engine, calendar: BusinessCalendar, clock: Clock
) -> None:
    report = report_for(engine, calendar, clock.now)
    tlalpan = figures(report.alcaldias, "Tlalpan")
    assert (tlalpan.received, tlalpan.answered, tlalpan.on_time) == (8, 4, 2)
    assert tlalpan.median_days == 5.5  # 4, 5, 6, 6
    water = figures(report.categories, "AGU-001")
    assert (water.received, water.answered, water.reassigned_away, water.overdue) == (5, 2, 1, 3)
    assert next(row.label for row in report.categories if row.key == "AGU-001").endswith(
        "(AGU-001)"
    )


async def test_period_is_local_days(
    october: dict[str, str], engine: Engine, calendar: BusinessCalendar, clock: Clock
) -> None:
    # Monday 5 October 10:00 local is outside the 6th..31st and inside the 5th alone
    later = report_for(engine, calendar, clock.now, Period(date(2026, 10, 6), date(2026, 10, 31)))
    assert later.total.received == 0
    assert later.authorities == []
    only = report_for(engine, calendar, clock.now, Period(date(2026, 10, 5), date(2026, 10, 5)))
    assert only.total.received == 8


async def test_overdue_list_of_one_row(
    october: dict[str, str], engine: Engine, calendar: BusinessCalendar, clock: Clock
) -> None:
    with Session(engine) as session:
        unit = overdue_page(
            session, calendar, OCTOBER, OverdueFilter("SACMEX", "DGAP"), now=clock.now
        )
        authority = overdue_page(session, calendar, OCTOBER, OverdueFilter("SACMEX"), now=clock.now)
        sobse = overdue_page(session, calendar, OCTOBER, OverdueFilter("SOBSE"), now=clock.now)
    assert [row.folio for row in unit.rows] == [october["overdue"]]
    assert {row.folio for row in authority.rows} == {october["overdue"], october["moved"]}
    assert authority.total == 2
    assert [row.folio for row in sobse.rows] == [october["handed"]]  # SOBSE's own 13th passed


@pytest.mark.parametrize(
    ("received", "answered", "days"),
    [
        (local(5, 10), local(5, 15), 0),  # the same day
        (local(5, 18), local(6, 10), 0),  # received after the cut-off: counts from Tuesday
        (local(5, 10), local(7, 10), 2),  # answered on SACMEX's day off: counts as Thursday
        (local(10, 10), local(13, 9), 1),  # received on Saturday: counts from Monday
        (local(1, 10), local(10, 10), 6),  # day 5 is Friday 9, Saturday counts as Monday: 6
    ],
)
def test_answer_days_by_hand(
    calendar: BusinessCalendar, received: datetime, answered: datetime, days: int
) -> None:
    table = AnswerDays(calendar, first=date(2026, 10, 1), last=date(2026, 10, 31))
    assert table.count(received, answered, "SACMEX") == days
    narrow = AnswerDays(calendar, first=date(2026, 10, 20), last=date(2026, 10, 20))
    assert narrow.count(received, answered, "SACMEX") == days  # before the table: walked


@pytest.mark.parametrize(
    ("days", "middle"),
    [([], None), ([3], 3), ([1, 1, 2, 9], 1.5), ([0, 5, 5, 6, 40], 5), ([2, 4], 3)],
)
def test_median_of_counted_days(days: list[int], middle: float | None) -> None:
    assert Figures(answer_days=Counter(days)).median_days == middle

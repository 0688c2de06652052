"""The authorities' performance over a period: how each one answers its 5-business-day record.

A report covers the requests **received** in a period of local days (America/Mexico_City),
and counts for each authority, each of its units, each alcaldía and each category:

- **received**: requests of the period it holds now (a request handed over counts for the
  authority that holds it, and as *re-assigned away* for the one it left);
- **answered** (answered or closed after an answer) and **on time**: answered at or before
  the request's deadline, which follows the holder's own calendar (``due_at``);
- **still open** (received, assigned, re-assigned, in progress) and **overdue now**: still
  open past its deadline;
- **median business days to answer**, counted with the holder's calendar (``AnswerDays``);
- **rejected**;
- **re-assigned away**: requests of the period that left it for another authority (for a
  unit: for another unit or authority), from the history's authority changes;
- **categories**: each row's requests received per category (its most frequent ones).

Counts are one grouped SQL query; the median reads the answered requests' two timestamps,
and the re-assignments the history's authority lines of the period::

    report = performance_report(session, calendar, Period(date(2026, 9, 1), date(2026, 9, 30)))
    report.authorities[0].figures.on_time
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from models.answer_days import AnswerDays
from models.authorities import AdministrativeUnit, Authority
from models.business_days import BusinessCalendar
from models.db_types import utcnow
from models.inbox import category_names
from models.lifecycle import OPEN_STATUSES
from models.requests import RequestHistory, ServiceRequest, Status

NO_AUTHORITY = "Sin dependencia asignada"
NO_ALCALDIA = "Sin alcaldía"


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last``, both included."""

    first: date
    last: date

    def bounds(self, calendar: BusinessCalendar) -> tuple[datetime, datetime]:
        """The period as instants: the start of ``first`` and of the day after ``last``."""
        start = datetime.combine(self.first, time.min, calendar.zone)
        end = datetime.combine(self.last + timedelta(days=1), time.min, calendar.zone)
        return start, end


@dataclass
class Figures:
    """One row's counts."""

    received: int = 0
    answered: int = 0
    on_time: int = 0
    still_open: int = 0
    overdue: int = 0
    rejected: int = 0
    reassigned_away: int = 0
    answer_days: Counter[int] = field(default_factory=Counter, repr=False)  # days → answers
    categories: Counter[str] = field(default_factory=Counter, repr=False)  # code → received

    @property
    def median_days(self) -> float | None:
        """Median business days to answer, None when nothing was answered."""
        total = self.answer_days.total()
        if not total:
            return None
        seen, low = 0, None
        for days in sorted(self.answer_days):
            seen += self.answer_days[days]
            if low is None and seen > (total - 1) // 2:
                low = days
            if seen > total // 2:
                assert low is not None
                return (low + days) / 2
        raise AssertionError("unreachable: the counts add up to the total")

    @property
    def on_time_share(self) -> float | None:
        """Answered on time ÷ received, None without requests."""
        return self.on_time / self.received if self.received else None

    def add(self, category: str, counts: tuple[int, int, int, int, int, int]) -> None:
        received, answered, on_time, still_open, overdue, rejected = counts
        self.received += received
        self.answered += answered
        self.on_time += on_time
        self.still_open += still_open
        self.overdue += overdue
        self.rejected += rejected
        self.categories[category] += received


@dataclass
class Row:
    """One authority, unit, alcaldía or category; ``key`` is its code (or name)."""

    key: str | None
    label: str
    figures: Figures = field(default_factory=Figures)
    units: list[Row] = field(default_factory=list)


@dataclass
class PerformanceReport:
    """Every table of the report for one period."""

    period: Period
    generated_at: datetime
    authorities: list[Row]
    alcaldias: list[Row]
    categories: list[Row]
    total: Figures


Key = tuple[str | None, str | None, str | None, str]  # authority, unit, alcaldía, category


class _Tables:
    """The rows being filled, by dimension."""

    def __init__(self) -> None:
        self.authority: defaultdict[str | None, Figures] = defaultdict(Figures)
        self.unit: defaultdict[tuple[str | None, str | None], Figures] = defaultdict(Figures)
        self.alcaldia: defaultdict[str | None, Figures] = defaultdict(Figures)
        self.category: defaultdict[str, Figures] = defaultdict(Figures)
        self.total = Figures()

    def each(self, key: Key) -> Iterable[Figures]:
        authority, unit, alcaldia, category = key
        yield self.authority[authority]
        yield self.unit[(authority, unit)]
        yield self.alcaldia[alcaldia]
        yield self.category[category]
        yield self.total


def _in_period(start: datetime, end: datetime):  # noqa: ANN202  (a SQL condition)
    return and_(col(ServiceRequest.received_at) >= start, col(ServiceRequest.received_at) < end)


def _count(
    session: Session, tables: _Tables, start: datetime, end: datetime, now: datetime
) -> None:
    answered = col(ServiceRequest.answered_at).is_not(None)
    still_open = col(ServiceRequest.status).in_(sorted(OPEN_STATUSES))
    open_late = still_open & (col(ServiceRequest.due_at) < now)
    on_time = answered & (col(ServiceRequest.answered_at) <= col(ServiceRequest.due_at))
    rejected = col(ServiceRequest.status) == Status.REJECTED

    def tally(condition):  # noqa: ANN001, ANN202  (SQL expressions)
        return func.sum(case((condition, 1), else_=0))

    group = (
        col(ServiceRequest.authority_code),
        col(ServiceRequest.unit_code),
        col(ServiceRequest.alcaldia),
        col(ServiceRequest.catalogue_code),
    )
    statement = (
        columns(*group, func.count(), tally(answered), tally(on_time), tally(still_open))
        .add_columns(tally(open_late), tally(rejected))
        .where(_in_period(start, end))
        .group_by(*group)
    )
    for authority, unit, alcaldia, category, *counts in session.execute(statement):
        for figures in tables.each((authority, unit, alcaldia, category)):
            figures.add(category, tuple(int(n or 0) for n in counts))  # type: ignore[arg-type]


def _answer_days(
    session: Session, tables: _Tables, days: AnswerDays, start: datetime, end: datetime
) -> None:
    statement = columns(
        col(ServiceRequest.authority_code),
        col(ServiceRequest.unit_code),
        col(ServiceRequest.alcaldia),
        col(ServiceRequest.catalogue_code),
        col(ServiceRequest.received_at),
        col(ServiceRequest.answered_at),
    ).where(_in_period(start, end), col(ServiceRequest.answered_at).is_not(None))
    answers: Counter[tuple[Key, int]] = Counter()
    for authority, unit, alcaldia, category, received_at, answered_at in session.execute(statement):
        assert answered_at is not None
        answers[
            (authority, unit, alcaldia, category), days.count(received_at, answered_at, authority)
        ] += 1
    for (key, count), how_many in answers.items():
        for figures in tables.each(key):
            figures.answer_days[count] += how_many


def _reassigned(session: Session, tables: _Tables, start: datetime, end: datetime) -> None:
    statement = (
        columns(
            col(RequestHistory.request_id),
            col(RequestHistory.from_value),
            col(RequestHistory.to_value),
            col(ServiceRequest.alcaldia),
            col(ServiceRequest.catalogue_code),
        )
        .join(ServiceRequest, col(ServiceRequest.id) == col(RequestHistory.request_id))
        .where(
            col(RequestHistory.field) == "authority", col(RequestHistory.from_value).is_not(None)
        )
        .where(_in_period(start, end))
    )
    left_authority: set[tuple[int, str]] = set()
    left_unit: set[tuple[int, str, str]] = set()
    moved: dict[int, tuple[str | None, str]] = {}
    for request_id, source, target, alcaldia, category in session.execute(statement):
        from_authority, _, from_unit = (source or "").partition("/")
        to_authority, _, to_unit = (target or "").partition("/")
        if (from_authority, from_unit) != (to_authority, to_unit):
            left_unit.add((request_id, from_authority, from_unit))
        if from_authority != to_authority:
            left_authority.add((request_id, from_authority))
            moved[request_id] = (alcaldia, category)
    for _, authority in left_authority:
        tables.authority[authority].reassigned_away += 1
    for _, authority, unit in left_unit:
        tables.unit[(authority, unit)].reassigned_away += 1
    for alcaldia, category in moved.values():
        tables.alcaldia[alcaldia].reassigned_away += 1
        tables.category[category].reassigned_away += 1
    tables.total.reassigned_away += len(moved)


def performance_report(
    session: Session,
    calendar: BusinessCalendar,
    period: Period,
    *,
    now: datetime | None = None,
    reassignments: bool = True,
) -> PerformanceReport:
    """The performance tables for the requests received in ``period`` (without counting the
    re-assignments away, which read the history, when ``reassignments`` is False)."""
    now = now or utcnow()
    start, end = period.bounds(calendar)
    tables = _Tables()
    _count(session, tables, start, end, now)
    today = now.astimezone(calendar.zone).date()
    days = AnswerDays(calendar, first=period.first, last=max(today, period.last))
    _answer_days(session, tables, days, start, end)
    if reassignments:
        _reassigned(session, tables, start, end)
    return PerformanceReport(
        period=period,
        generated_at=now,
        authorities=_authority_rows(session, tables),
        alcaldias=_sorted_rows(
            Row(name, name or NO_ALCALDIA, figures) for name, figures in tables.alcaldia.items()
        ),
        categories=_sorted_rows(
            Row(code, label, tables.category[code])
            for code, label in _category_labels(session, set(tables.category)).items()
        ),
        total=tables.total,
    )


def _sorted_rows(rows: Iterable[Row]) -> list[Row]:
    """Rows by label, the one without a key last."""
    return sorted(rows, key=lambda row: (row.key is None, row.label))


def _category_labels(session: Session, codes: set[str]) -> dict[str, str]:
    names = category_names(session, codes)
    return {code: f"{names.get(code, code)} ({code})" for code in codes}


def authority_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The names of the authorities ``codes`` (those that exist)."""
    statement = select(Authority.code, Authority.name).where(col(Authority.code).in_(sorted(codes)))
    return dict(session.exec(statement).all())


def _authority_rows(session: Session, tables: _Tables) -> list[Row]:
    codes = {code for code in tables.authority if code is not None}
    names = authority_names(session, codes)
    unit_names = {
        (authority, code): name
        for authority, code, name in session.exec(
            select(
                AdministrativeUnit.authority_code, AdministrativeUnit.code, AdministrativeUnit.name
            ).where(col(AdministrativeUnit.authority_code).in_(sorted(codes)))
        )
    }
    rows = {
        code: Row(code, names.get(code, code) if code else NO_AUTHORITY, figures)
        for code, figures in tables.authority.items()
    }
    for (authority, unit), figures in tables.unit.items():
        if authority is not None and unit and authority in rows:
            label = unit_names.get((authority, unit), unit)
            rows[authority].units.append(Row(unit, label, figures))
    for row in rows.values():
        row.units = _sorted_rows(row.units)
    return _sorted_rows(rows.values())

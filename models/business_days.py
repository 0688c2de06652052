"""Business days and deadlines: 5 business days counted from the day after reception.

Rules (decided here, documented in the README):

* Business days are Monday to Friday, minus Mexico's official holidays (``holidays``,
  country MX) and the non-working days each authority publishes in the Gaceta Oficial
  (``non_working_days.yaml``).
* Reception is taken in local time (America/Mexico_City). A request received on a
  non-working day of the answering authority, or on a business day at or after the cut-off
  hour (18:00 by default), is deemed received on the next business day, as Mexican
  administrative law does for filings made outside office days and hours.
* The deadline is the end (23:59:59 local) of the 5th business day after that effective
  reception day.

Example::

    >>> cal = BusinessCalendar.from_file(PACKAGE_DATA / "non_working_days.yaml")
    >>> cal.due_date(datetime(2026, 9, 14, 10, tzinfo=cal.zone), "ALC-IZP")
    datetime.date(2026, 9, 22)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml

from models.config import PACKAGE_DATA

log = logging.getLogger(__name__)

DEADLINE_BUSINESS_DAYS = 5
MEXICO_CITY = ZoneInfo("America/Mexico_City")


class DeadlineState(StrEnum):
    """How a request stands against its deadline."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ANSWERED_ON_TIME = "answered_on_time"
    ANSWERED_LATE = "answered_late"


DEADLINE_LABELS: dict[DeadlineState, str] = {
    DeadlineState.ON_TIME: "en tiempo",
    DeadlineState.DUE_SOON: "por vencer",
    DeadlineState.OVERDUE: "vencida",
    DeadlineState.ANSWERED_ON_TIME: "atendida en tiempo",
    DeadlineState.ANSWERED_LATE: "atendida fuera de plazo",
}


def _expand(items: list[str | date]) -> set[date]:
    days: set[date] = set()
    for item in items or []:
        if isinstance(item, date):
            days.add(item)
            continue
        start_text, _, end_text = str(item).partition("..")
        start = date.fromisoformat(start_text.strip())
        end = date.fromisoformat(end_text.strip()) if end_text else start
        if end < start:
            raise ValueError(f"range ends before it starts: {item}")
        days.update(start + timedelta(n) for n in range((end - start).days + 1))
    return days


@dataclass
class AuthorityDays:
    """An authority's departures from the City-wide calendar."""

    extra: set[date] = field(default_factory=set)
    working: set[date] = field(default_factory=set)


@dataclass
class BusinessCalendar:
    """Working days per authority, and the deadlines that follow from them."""

    city_wide: set[date]
    authorities: dict[str, AuthorityDays]
    covered_years: set[int]
    zone: ZoneInfo = MEXICO_CITY
    cutoff_hour: int = 18
    _federal: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("MX"))
    _warned_years: set[int] = field(default_factory=set)

    @classmethod
    def from_file(cls, path: Path, *, zone: ZoneInfo = MEXICO_CITY, cutoff_hour: int = 18):
        """Load the calendar an administrator maintains (see ``non_working_days.yaml``)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        city_wide_by_year = data.get("city_wide") or {}
        authorities = {
            code: AuthorityDays(
                extra=_expand((spec or {}).get("extra", [])),
                working=_expand((spec or {}).get("working", [])),
            )
            for code, spec in (data.get("authorities") or {}).items()
        }
        return cls(
            city_wide=set().union(*(_expand(v) for v in city_wide_by_year.values())),
            authorities=authorities,
            covered_years={int(year) for year in city_wide_by_year},
            zone=zone,
            cutoff_hour=cutoff_hour,
        )

    @classmethod
    def default(cls) -> BusinessCalendar:
        """The calendar shipped with the package."""
        return cls.from_file(PACKAGE_DATA / "non_working_days.yaml")

    def is_business_day(self, day: date, authority: str | None = None) -> bool:
        """True when ``authority`` (or the City as a whole) works on ``day``."""
        if day.weekday() >= 5 or day in self._federal:
            return False
        if day.year not in self.covered_years and day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning("no Gaceta non-working days loaded for %d: only holidays apply", day.year)
        own = self.authorities.get(authority or "", AuthorityDays())
        if day in own.extra:
            return False
        return day not in self.city_wide or day in own.working

    def next_business_day(self, day: date, authority: str | None = None) -> date:
        """The first business day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_business_day(day, authority):
            day += timedelta(days=1)
        return day

    def effective_reception(self, received_at: datetime, authority: str | None = None) -> date:
        """The business day a reception counts as (see the module's rules)."""
        local = received_at.astimezone(self.zone)
        day = local.date()
        if not self.is_business_day(day, authority) or local.hour >= self.cutoff_hour:
            return self.next_business_day(day, authority)
        return day

    def add_business_days(self, day: date, count: int, authority: str | None = None) -> date:
        """The ``count``-th business day after ``day``."""
        for _ in range(count):
            day = self.next_business_day(day, authority)
        return day

    def due_date(
        self,
        received_at: datetime,
        authority: str | None = None,
        business_days: int = DEADLINE_BUSINESS_DAYS,
    ) -> date:
        """The last day on which ``authority`` may answer a request received at ``received_at``."""
        start = self.effective_reception(received_at, authority)
        return self.add_business_days(start, business_days, authority)

    def due_at(self, received_at: datetime, authority: str | None = None) -> datetime:
        """The deadline as an instant: the end of the due date, local time."""
        end_of_day = datetime.combine(self.due_date(received_at, authority), time.max)
        return end_of_day.replace(tzinfo=self.zone)

    def business_days_left(self, now: datetime, due_at: datetime, authority: str | None) -> int:
        """Business days from today (local) to the due date, 0 when due today."""
        today = now.astimezone(self.zone).date()
        due = due_at.astimezone(self.zone).date()
        left = 0
        while today < due:
            today = self.next_business_day(today, authority)
            left += 1
        return left

    def state(
        self,
        *,
        due_at: datetime,
        now: datetime,
        authority: str | None,
        answered_at: datetime | None = None,
        due_soon_days: int = 1,
    ) -> DeadlineState:
        """On time, due soon, overdue, or (once answered) answered on time or late."""
        if answered_at is not None:
            late = answered_at > due_at
            return DeadlineState.ANSWERED_LATE if late else DeadlineState.ANSWERED_ON_TIME
        if now > due_at:
            return DeadlineState.OVERDUE
        if self.business_days_left(now, due_at, authority) <= due_soon_days:
            return DeadlineState.DUE_SOON
        return DeadlineState.ON_TIME

"""Business days taken to answer a request, by the answering authority's own calendar.

A request counts from its effective reception day (see ``models.business_days``); an answer
on a business day counts as that day, one on a non-working day as the next business day (as
the deadline treats it: an answer on Saturday after a Friday deadline is late). The count is
the business days after the reception day up to the answer's day, so an answer on the 5th
business day is 5 (on time) and on the 6th is 6 (late); an answer on the reception day is 0.

Reports count thousands of answers, so each authority's business days are tabulated once
(a running count per date) instead of walking the calendar for every request::

    days = AnswerDays(calendar, first=date(2026, 9, 1), last=date(2026, 10, 31))
    days.count(received_at, answered_at, "ALC-IZP")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from models.business_days import BusinessCalendar

SLACK_DAYS = 40  # receptions moved past the table's end by a long run of non-working days


@dataclass
class _Table:
    """One authority's business days from ``first``: ``working[i]`` for ``first + i`` and
    ``upto[i]``, the business days in ``first .. first + i``."""

    first: date
    working: list[bool]
    upto: list[int]

    def index(self, day: date) -> int:
        return (day - self.first).days


@dataclass
class AnswerDays:
    """Counts business days to answer for answers between ``first`` and ``last`` (local)."""

    calendar: BusinessCalendar
    first: date
    last: date
    _tables: dict[str | None, _Table] = field(default_factory=dict)

    def _table(self, authority: str | None) -> _Table:
        table = self._tables.get(authority)
        if table is None:
            start = self.first - timedelta(days=1)
            span = (self.last - start).days + SLACK_DAYS
            days = [start + timedelta(days=n) for n in range(span)]
            working = [self.calendar.is_business_day(day, authority) for day in days]
            upto = list(accumulate(int(flag) for flag in working))
            table = self._tables[authority] = _Table(start, working, upto)
        return table

    def count(self, received_at: datetime, answered_at: datetime, authority: str | None) -> int:
        """Business days from the effective reception to the answer (0 on the same day)."""
        table = self._table(authority)
        local = received_at.astimezone(self.calendar.zone)
        start = table.index(local.date())
        end = table.index(answered_at.astimezone(self.calendar.zone).date())
        if not (start >= 0 and end < len(table.working)):
            return self._walk(received_at, answered_at, authority)
        moved = not table.working[start] or local.hour >= self.calendar.cutoff_hour
        # business days up to the effective reception (the next business day when moved)
        received = table.upto[start] + (1 if moved else 0)
        answered = table.upto[end] + (0 if table.working[end] else 1)
        return max(0, answered - received)

    def _walk(self, received_at: datetime, answered_at: datetime, authority: str | None) -> int:
        """The count without the table (dates outside it), one day at a time."""
        calendar = self.calendar
        day = calendar.effective_reception(received_at, authority)
        end = answered_at.astimezone(calendar.zone).date()
        if not calendar.is_business_day(end, authority):
            end = calendar.next_business_day(end, authority)
        count = 0
        while day < end:
            day = calendar.next_business_day(day, authority)
            count += 1
        return count

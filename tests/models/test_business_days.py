"""Deadlines: 5 business days from the day after reception, per authority's calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from models.business_days import BusinessCalendar, DeadlineState

TZ_NAME = "America/Mexico_City"


def at(cal: BusinessCalendar, *args: int) -> datetime:
    return datetime(*args, tzinfo=cal.zone)


@pytest.mark.parametrize(
    ("received", "authority", "due"),
    [
        # Ordinary week: Monday 10:00 → the following Monday.
        ((2026, 10, 5, 10), "ALC-IZP", date(2026, 10, 12)),
        # 16 September (Wednesday) is skipped.
        ((2026, 9, 14, 10), "ALC-IZP", date(2026, 9, 22)),
        # Third Monday of November (16 Nov 2026) and Día de Muertos (2 Nov) are skipped.
        ((2026, 11, 13, 9), "ALC-IZP", date(2026, 11, 23)),
        ((2026, 10, 29, 12), "ALC-COY", date(2026, 11, 6)),
        # Holy Week 2026 (30 Mar – 3 Apr) is a City-wide non-working week.
        ((2026, 3, 26, 11), "ALC-BJ", date(2026, 4, 9)),
        # Received after the 18:00 cut-off: counts as received the next business day.
        ((2026, 3, 27, 19), "ALC-BJ", date(2026, 4, 13)),
        # Received on Saturday: deemed received Monday, counting starts Tuesday.
        ((2026, 10, 10, 9), "ALC-IZP", date(2026, 10, 19)),
        # Received at 23:30 local on Friday (05:30 UTC on Saturday): same as Saturday.
        ((2026, 10, 9, 23, 30), "ALC-IZP", date(2026, 10, 19)),
        # Christmas: the City's winter break runs to 5 Jan 2027 …
        ((2026, 12, 18, 10), "ALC-IZP", date(2027, 1, 12)),
        # … but SACMEX works 28–31 December.
        ((2026, 12, 18, 10), "SACMEX", date(2027, 1, 6)),
        # An alcaldía's own extra day (Xochimilco's carnival, 17 Feb 2026).
        ((2026, 2, 13, 10), "ALC-XOC", date(2026, 2, 23)),
        ((2026, 2, 13, 10), "ALC-TLP", date(2026, 2, 20)),
        # Holy Week 2027 (22–26 March) and 15 March 2027 (Benito Juárez, third Monday).
        ((2027, 3, 12, 10), "ALC-GAM", date(2027, 3, 29)),
    ],
)
def test_due_dates(
    calendar: BusinessCalendar, received: tuple[int, ...], authority: str, due: date
) -> None:
    assert calendar.due_date(at(calendar, *received), authority) == due


def test_deadline_is_end_of_local_day(calendar: BusinessCalendar) -> None:
    due_at = calendar.due_at(at(calendar, 2026, 10, 5, 10), "ALC-IZP")
    local = due_at.astimezone(calendar.zone)
    assert (local.date(), local.hour, local.minute) == (date(2026, 10, 12), 23, 59)


def test_states(calendar: BusinessCalendar) -> None:
    due_at = calendar.due_at(at(calendar, 2026, 10, 5, 10), "ALC-IZP")  # Mon 12 Oct

    def state(now: datetime, answered: datetime | None = None) -> DeadlineState:
        return calendar.state(due_at=due_at, now=now, authority="ALC-IZP", answered_at=answered)

    assert state(at(calendar, 2026, 10, 6, 9)) is DeadlineState.ON_TIME
    assert state(at(calendar, 2026, 10, 9, 9)) is DeadlineState.DUE_SOON  # Friday before
    assert state(at(calendar, 2026, 10, 12, 23)) is DeadlineState.DUE_SOON
    assert state(at(calendar, 2026, 10, 13, 0, 1)) is DeadlineState.OVERDUE
    assert state(at(calendar, 2026, 10, 20), at(calendar, 2026, 10, 8)) is (
        DeadlineState.ANSWERED_ON_TIME
    )
    assert state(at(calendar, 2026, 10, 20), due_at + timedelta(seconds=1)) is (
        DeadlineState.ANSWERED_LATE
    )


def test_calendar_file_is_editable(tmp_path: Path) -> None:
    path = tmp_path / "dias.yaml"
    path.write_text(
        "city_wide:\n  2026: ['2026-10-06..2026-10-07']\n"
        "authorities:\n  SSC:\n    working: ['2026-10-06']\n",
        encoding="utf-8",
    )
    cal = BusinessCalendar.from_file(path)
    received = datetime(2026, 10, 5, 10, tzinfo=cal.zone)
    assert cal.due_date(received, "ALC-IZP") == date(2026, 10, 14)
    assert cal.due_date(received, "SSC") == date(2026, 10, 13)


def test_bad_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dias.yaml"
    path.write_text("city_wide:\n  2026: ['2026-10-07..2026-10-06']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ends before"):
        BusinessCalendar.from_file(path)

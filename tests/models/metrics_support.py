"""Helpers of the metrics tests: events at given local times, live and stored, compared."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from models.call_records import write_events
from models.events import BaseEvent
from models.metrics import Interval, LiveMetrics, MetricsReport, MetricsRules, historical_report

ZONE = ZoneInfo("America/Mexico_City")
RULES = MetricsRules(short_abandon_seconds=5, service_level_seconds=20, time_zone=ZONE)


def local(day: int, hour: int, minute: int = 0, second: float = 0) -> datetime:
    """A local time in March 2026 (Mexico City: UTC−6 all year)."""
    whole = int(second)
    micro = round((second - whole) * 1_000_000)
    return datetime(2026, 3, day, hour, minute, whole, micro, tzinfo=ZONE)


def at(event: BaseEvent, when: datetime) -> BaseEvent:
    """``event`` as if it occurred at ``when``."""
    return event.model_copy(update={"occurred_at": when})


def both(
    engine: Engine, events: list[BaseEvent], start: datetime, end: datetime, now: datetime
) -> tuple[MetricsReport, MetricsReport]:
    """The live aggregator's report and the stored records' report of the same events."""
    live = LiveMetrics(RULES)
    for event in events:
        live.apply(event)
    write_events(engine, events)
    return live.report(now, start, end), historical_report(engine, start, end, RULES, now=now)


def figures(report: MetricsReport) -> dict[str, object]:
    """Every roll-up of a report, for comparing two of them."""
    return {
        "overall": report.overall(),
        "queues": report.queues(),
        **{f"by {size}": report.intervals(size) for size in Interval},
        "agents": report.agent_totals(),
        "agents by hour": {
            agent: report.agent_intervals(Interval.HOUR, agent) for agent in report.agent_totals()
        },
    }


def day_of(when: datetime) -> tuple[datetime, datetime]:
    """The local day ``when`` falls in."""
    start = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)

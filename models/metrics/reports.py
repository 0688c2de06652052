"""Historical reports: the figures of any period from the stored call records and the agents'
stored state changes, with the live aggregator's functions, so both agree for the same calls.

The calls of the period are read in one indexed range scan (``queued_at``) of only the
columns the definitions read, streamed, and folded in Python by
:func:`~models.metrics.definitions.fact_of`: 100,000 calls take well under a second on
PostgreSQL (``benchmarks/wallboard_reports.py``)::

    report = historical_report(engine, start, end, rules)
    report.overall().asa, report.agent_totals()
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from models.calls import CallRecord
from models.db import session_scope
from models.db_types import utcnow
from models.metrics.agent_log import AgentStateChange
from models.metrics.agents import AgentClock
from models.metrics.definitions import MetricsRules, fact_of
from models.metrics.report import MetricsReport, check_period

# an agent's state in force when a period starts is its last change at most this long before
STATE_LOOKBACK = timedelta(days=7)
_CALL_COLUMNS = [
    CallRecord.__table__.c[name]  # type: ignore[attr-defined]
    for name in (
        "queue",
        "queued_at",
        "answered_at",
        "abandoned_at",
        "wait_seconds",
        "queue_exit",
        "agent",
        "hold_seconds",
        "transferred_at",
        "ended_at",
        "wrapup_seconds",
        "missed_agents",
    )
]


def historical_report(
    engine: Engine,
    start: datetime,
    end: datetime,
    rules: MetricsRules,
    *,
    now: datetime | None = None,
) -> MetricsReport:
    """The figures of the calls that joined a queue in ``[start, end)`` and of the agents'
    time in it (up to ``now`` when the period is not over)."""
    check_period(start, end, rules)
    report = MetricsReport(rules, start, end)
    queued_at = CallRecord.__table__.c.queued_at  # type: ignore[attr-defined]
    query = select(*_CALL_COLUMNS).where(queued_at >= start, queued_at < end)
    with session_scope(engine, readonly=True) as session:
        rows = session.execute(query.execution_options(yield_per=5000))
        for row in rows:
            fact = fact_of(row)
            if fact is not None:
                report.add_call(fact)
        _agent_time(session, report, min(end, now or utcnow()))
    return report


def _agent_time(session: Session, report: MetricsReport, until: datetime) -> None:
    """Each agent's time from the period's start to ``until``, through the live clock."""
    start = report.start
    if until <= start:
        return
    clock = AgentClock(report.rules, report.add_time)
    change = AgentStateChange
    latest = (
        select(col(change.agent), func.max(col(change.seq)).label("seq"))
        .where(col(change.at) >= start - STATE_LOOKBACK, col(change.at) < start)
        .group_by(col(change.agent))
        .subquery()
    )
    in_force = (
        select(change).join(latest, col(change.seq) == latest.c.seq).order_by(col(change.seq))
    )
    for before in session.execute(in_force).scalars():
        clock.change(before.agent, before.state, before.reason, start)
    during = (
        select(change)
        .where(col(change.at) >= start, col(change.at) < until)
        .order_by(col(change.seq))  # the bus's order, as the live clock saw them
    )
    for item in session.execute(during).scalars():
        clock.change(item.agent, item.state, item.reason, item.at)
    clock.open_time(until, report.add_time)

"""Historical reports: the figures of any period from the stored facts of the calls
(``call_fact``, written by the recorder with the live aggregator's ``fact_of``) and the
agents' stored state changes, so live and historical figures agree for the same calls.

The calls are grouped and added in SQL: one indexed range scan of ``call_fact`` grouped by
interval, queue and what the definitions tell apart (outcome, where the wait falls against
the thresholds, handled), each group counted by :meth:`Tally.count` as a single call would
be. A 30-day report over 100,000 calls takes well under a second on PostgreSQL
(``benchmarks/wallboard_reports.py``)::

    report = historical_report(engine, start, end, rules)
    report.overall().asa, report.agent_totals()
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Engine, and_, func, not_, select, type_coerce
from sqlmodel import Session

from models.db import session_scope
from models.db_types import utcnow
from models.metrics.agent_log import changes_from
from models.metrics.agents import AgentClock
from models.metrics.definitions import CallGroup, MetricsRules, Outcome
from models.metrics.facts import CallFactRow
from models.metrics.report import MetricsReport, check_period

FACT: Any = CallFactRow.__table__.c  # type: ignore[attr-defined]
QUARTER = type_coerce(FACT.quarter_at, DateTime(timezone=True))  # UTC; naive on SQLite


def wait_flags(rules: MetricsRules) -> tuple[ColumnElement[bool], ...]:
    """``MetricsRules.is_short_abandon``, ``within_service`` and ``after_service`` on the
    stored wait, in SQL (the same comparisons, in milliseconds)."""
    short = FACT.wait_ms < rules.short_abandon_ms
    return (
        short,
        FACT.wait_ms <= rules.service_level_ms,
        and_(FACT.wait_ms > rules.service_level_ms, not_(short)),
    )


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
    with session_scope(engine, readonly=True) as session:
        _calls(session, report)
        _agent_calls(session, report)
        _agent_time(session, report, min(end, now or utcnow()))
    return report


def _in_period(report: MetricsReport) -> ColumnElement[bool]:
    return and_(FACT.quarter_at >= report.start, FACT.quarter_at < report.end)


def _calls(session: Session, report: MetricsReport) -> None:
    flags = [flag.label(name) for flag, name in zip(wait_flags(report.rules), "swa", strict=True)]
    keys = [QUARTER, FACT.queue, FACT.outcome, *flags, FACT.handled]
    sums = [func.sum(FACT[name]) for name in ("wait_ms", "talk_ms", "hold_ms", "wrapup_ms")]
    query = select(*keys, func.count(), *sums).where(_in_period(report)).group_by(*keys)
    local = _local_quarters(report.rules)
    for quarter, queue, outcome, short, within, after, handled, n, *times in session.execute(
        query
    ).all():
        group = CallGroup(Outcome(outcome), short, within, after, handled, n, *map(int, times))
        report.calls[local(quarter), queue].count(group)


def _local_quarters(rules: MetricsRules) -> Callable[[datetime], datetime]:
    """A stored interval start (``QUARTER``: read as the driver gives it, without a
    conversion per row) in local time, remembered: a period has few intervals, many rows."""

    @functools.cache
    def local(stored: datetime) -> datetime:
        return rules.local(stored if stored.tzinfo else stored.replace(tzinfo=UTC))

    return local


def _agent_calls(session: Session, report: MetricsReport) -> None:
    """Handled calls and their time per agent; missed rings per agent who missed them."""
    handle = func.sum(FACT.talk_ms + FACT.hold_ms + FACT.wrapup_ms)
    keys = [QUARTER, FACT.agent]
    handled = select(*keys, func.count(), handle).where(_in_period(report), FACT.handled)
    local = _local_quarters(report.rules)
    for quarter, agent, n, millis in session.execute(handled.group_by(*keys)).all():
        tally = report.agents[local(quarter), agent]
        tally.handled += n
        tally.handle_ms += int(millis)
    missed = select(QUARTER, FACT.missed_agents).where(_in_period(report), FACT.missed > 0)
    for quarter, agents in session.execute(missed).all():
        for agent in agents:
            report.agents[local(quarter), agent].missed_rings += 1


def _agent_time(session: Session, report: MetricsReport, until: datetime) -> None:
    """Each agent's time from the period's start to ``until``, through the live clock."""
    if until <= report.start:
        return
    clock = AgentClock(report.rules, report.add_time)
    for change in changes_from(session, report.start, until):
        clock.change(change.agent, change.state, change.reason, max(change.at, report.start))
    clock.open_time(until, report.add_time)

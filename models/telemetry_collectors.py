"""Collectors read at each scrape, from the database, so every process answers the same.

- ``suac_jobs{status}`` (pending, running, failed) and ``suac_jobs_due`` (pending jobs whose
  time has come: the backlog);
- ``suac_calls_today{queue,figure}`` and the day's ratios, from the stored call facts with the
  contact-centre definitions (``models.metrics``): the same numbers as the wallboard's
  historical report for today::

    exposition = Exposition(collectors=[JobDepth(engine), CallsToday(engine, rules)])
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine, func, select
from sqlmodel import col

from models.db import session_scope
from models.db_types import utcnow
from models.jobs import DONE, PENDING
from models.metrics.definitions import Interval, MetricsRules
from models.metrics.reports import historical_report
from models.outbox import Job


class JobDepth:
    """``suac_jobs{status}``: jobs pending, running or failed now; ``suac_jobs_due``: pending
    jobs whose time has come (the backlog)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterable[Metric]:
        jobs = GaugeMetricFamily(
            "suac_jobs", "Jobs by status (done ones apart).", labels=["status"]
        )
        with session_scope(self._engine, readonly=True) as session:
            counts = dict.fromkeys(("pending", "running", "failed"), 0)
            grouped = select(col(Job.status), func.count()).group_by(col(Job.status))
            for status, count in session.execute(grouped.where(col(Job.status) != DONE)):
                counts[status] = count
            due = session.execute(
                select(func.count())
                .select_from(Job)
                .where(col(Job.status) == PENDING, col(Job.run_after) <= utcnow())
            ).scalar_one()
        for status, count in counts.items():
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily("suac_jobs_due", "Pending jobs whose time has come.", value=due)


TODAY_COUNTS = (
    "offered",
    "answered",
    "answered_within",
    "abandoned",
    "short_abandoned",
    "abandoned_after",
    "timeouts",
    "empty_exits",
    "key_exits",
    "left",
    "unanswered",
    "waiting",
    "handled",
)

RATIOS = (  # (metric, help, Tally's figure)
    (
        "suac_service_level_today",
        "Answered within T / (answered + abandoned after T - short abandons), today.",
        "service_level",
    ),
    ("suac_abandon_rate_today", "(Abandoned - short) / (offered - short), today.", "abandon_rate"),
    ("suac_answer_speed_today_seconds", "Average speed of answer, today.", "asa"),
    ("suac_handle_time_today_seconds", "Average handle time (talk+hold+wrap-up), today.", "aht"),
)


class CallsToday:
    """Today's (local day) call figures per queue, from the stored call facts with the
    contact-centre definitions (``models.metrics``): the same numbers as the wallboard's
    historical report for today, in every process."""

    def __init__(self, engine: Engine, rules: MetricsRules) -> None:
        self._engine, self._rules = engine, rules

    def collect(self) -> Iterable[Metric]:
        now = utcnow()
        start = Interval.DAY.start_of(self._rules.quarter_of(now))
        report = historical_report(
            self._engine, start, start + timedelta(days=1), self._rules, now=now
        )
        calls = GaugeMetricFamily(
            "suac_calls_today",
            "Calls of today (local day) by what became of them (see the README).",
            labels=["queue", "figure"],
        )
        families = {
            name: (GaugeMetricFamily(name, text, labels=["queue"]), figure)
            for name, text, figure in RATIOS
        }
        for queue, tally in sorted(report.queues().items()):
            for figure in TODAY_COUNTS:
                calls.add_metric([queue, figure], getattr(tally, figure))
            for family, figure in families.values():
                value = getattr(tally, figure)
                if value is not None:
                    family.add_metric([queue], value)
        yield calls
        yield from (family for family, _ in families.values())

"""The time to compute a 30-day historical report over 100,000 stored calls on PostgreSQL.

Fills its own database (``bench``, created when missing; never the tests' ``test``) with
100,000 call records and their facts (as the recorder stores them) over 30 days (answered,
abandoned, timed out, by 60 agents, with holds, wrap-ups and missed rings) and the agents'
state changes, then times :func:`models.metrics.historical_report` for the 30 days (target
< 1 s). Prints e.g. ``30-day report over 100000 calls: best 0.73 s, median 0.78 s (5 runs)``.

    python benchmarks/wallboard_reports.py [--calls 100000] [--days 30] [--runs 5]
    SUAC_BENCH_REPORTS_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench  (default)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from models.calls import CallRecord
from models.db import make_engine, upgrade
from models.metrics import MetricsRules, historical_report
from models.metrics.agent_log import AgentStateChange
from models.metrics.facts import CallFactRow, fact_values

AGENTS = [f"PJSIP/{1001 + n}" for n in range(60)]
QUEUES = ("locatel", "locatel-prioridad")


def ensure_database(url: str) -> None:
    """Create the benchmark's database when it is missing."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def call_record(n: int, start: datetime, days: int, rng: random.Random) -> CallRecord:
    """One stored call: mostly answered, some abandoned, a few timed out."""
    joined = start + timedelta(days=rng.randrange(days), seconds=rng.uniform(7, 22) * 3600)
    wait = round(rng.expovariate(1 / 25))
    agent = rng.choice(AGENTS)
    record = CallRecord(
        call_id=f"bench-{n}",
        transport=rng.choice(("asterisk", "twilio")),
        started_at=joined - timedelta(seconds=40),
        queue=rng.choice(QUEUES),
        queued_at=joined,
        wait_seconds=float(wait),
    )
    roll = rng.random()
    if roll < 0.82:
        answered = joined + timedelta(seconds=wait)
        talk = rng.uniform(60, 400)
        record.agent, record.answered_at, record.status = agent, answered, "answered"
        record.hold_seconds = rng.choice((0.0, 0.0, rng.uniform(5, 60)))
        record.ended_at = answered + timedelta(seconds=talk + record.hold_seconds)
        record.wrapup_seconds = rng.uniform(10, 90)
        if rng.random() < 0.1:
            record.missed, record.missed_agents = 1, [rng.choice(AGENTS)]
    elif roll < 0.97:
        record.abandoned_at = joined + timedelta(seconds=wait)
        record.ended_at, record.queue_exit, record.status = (
            record.abandoned_at,
            "abandoned",
            "abandoned",
        )
    else:
        record.ended_at = joined + timedelta(seconds=300)
        record.wait_seconds, record.queue_exit, record.status = 300.0, "timeout", "unanswered"
    return record


def agent_rows(start: datetime, days: int, rng: random.Random) -> list[dict[str, object]]:
    """Each agent's shift every day: signed in, two pauses, signed out."""
    rows: list[dict[str, object]] = []
    for day in range(days):
        for agent in AGENTS:
            begin = start + timedelta(days=day, hours=rng.choice((7, 14)))
            for offset, state, reason in (
                (0, "available", ""),
                (2.0, "paused", "Descanso"),
                (2.25, "available", ""),
                (4.0, "paused", "Comida"),
                (4.75, "available", ""),
                (8.0, "logged_out", ""),
            ):
                rows.append(
                    {
                        "event_id": f"{agent}-{day}-{offset}",
                        "agent": agent,
                        "queue": QUEUES[0],
                        "state": state,
                        "reason": reason,
                        "at": begin + timedelta(hours=offset),
                    }
                )
    return rows


def fill(engine: Engine, calls: int, days: int, start: datetime) -> None:
    """Replace the stored calls and agents' states with the benchmark's."""
    rng = random.Random(311)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE call_record, call_fact, agent_state_change"))
        for first in range(0, calls, 10_000):
            records = [call_record(n, start, days, rng) for n in range(first, first + 10_000)]
            connection.execute(insert(CallRecord), [r.model_dump() for r in records])
            connection.execute(insert(CallFactRow), [fact_values(r) for r in records])
        connection.execute(insert(AgentStateChange), agent_rows(start, days, rng))
        connection.execute(text("ANALYZE call_record"))
        connection.execute(text("ANALYZE call_fact"))
        connection.execute(text("ANALYZE agent_state_change"))


def report_time(url: str, *, calls: int = 100_000, days: int = 30, runs: int = 5) -> str:
    """Fill the database at ``url`` and time the report; the line to print."""
    ensure_database(url)
    engine = make_engine(url)
    upgrade(engine)
    rules = MetricsRules()
    start = datetime(2026, 2, 1, tzinfo=rules.time_zone)
    end = start + timedelta(days=days)
    fill(engine, calls, days, start)
    times: list[float] = []
    for _ in range(runs):
        began = time.perf_counter()
        report = historical_report(engine, start, end, rules, now=end)
        times.append(time.perf_counter() - began)
    engine.dispose()
    overall = report.overall()
    assert overall.offered == calls, overall.offered
    return (
        f"{days}-day report over {overall.offered} calls: best {min(times):.2f} s, "
        f"median {statistics.median(times):.2f} s ({runs} runs); "
        f"service level {overall.service_level:.1%}, ASA {overall.asa:.1f} s, "
        f"AHT {overall.aht:.1f} s, {len(report.agent_totals())} agents"
    )


def bench_url() -> str:
    """The benchmark's PostgreSQL database (``SUAC_BENCH_REPORTS_URL``)."""
    return os.environ.get(
        "SUAC_BENCH_REPORTS_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(report_time(bench_url(), calls=args.calls, days=args.days, runs=args.runs))


if __name__ == "__main__":
    main()

"""Time to compute the authorities' performance report over 100,000 requests of a month.

Stores ``--requests`` requests received over 30 days (every catalogue entry and alcaldía,
three in four answered within 0–9 business days, some rejected, one in ten handed from one
authority to another with its history line), then times the report for that month and one
overdue list, on SQLite and on PostgreSQL. Prints lines like::

    sqlite: 100000 requests, report 1.20 s (counts 0.30, answers 0.80, …), overdue list 0.01 s

Run: ``.venv/bin/python benchmarks/authority_performance.py [--requests 100000]``
(PostgreSQL: a database ``suac_bench_performance`` created for it on the server of
``SUAC_BENCH_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlmodel import Session, col

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from request_rows import store_requests  # noqa: E402

from models.authority_performance import Period, performance_report  # noqa: E402
from models.business_days import BusinessCalendar  # noqa: E402
from models.config import Settings  # noqa: E402
from models.db import make_engine, upgrade  # noqa: E402
from models.overdue_list import OverdueFilter, overdue_page  # noqa: E402
from models.requests import ServiceRequest  # noqa: E402
from suac.container import prepare_database  # noqa: E402

MONTH = Period(date(2026, 9, 1), date(2026, 9, 30))
NOW = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
BENCH_DATABASE = "suac_bench_performance"


def measure(name: str, engine: Engine, count: int) -> None:
    calendar = BusinessCalendar.default()
    store_requests(engine, count, calendar, start=START, now=NOW)
    with Session(engine) as session:
        started = time.perf_counter()
        report = performance_report(session, calendar, MONTH, now=NOW)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        overdue_page(session, calendar, MONTH, OverdueFilter(authority_code="SACMEX"), now=NOW)
        listed = time.perf_counter() - started
        stored = session.execute(select(col(ServiceRequest.id)).limit(1)).all()
    assert stored and report.total.received == count
    print(
        f"{name}: {count} requests, report {elapsed:.2f} s "
        f"({len(report.authorities)} authorities, {len(report.categories)} categories, "
        f"{report.total.answered} answered), overdue list {listed:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url="", redis_url="", _env_file=None)  # type: ignore[call-arg]
        engine = prepare_database(settings)
        measure("sqlite", engine, args.requests)
        engine.dispose()
    server = make_engine(
        os.environ.get(
            "SUAC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    ).execution_options(isolation_level="AUTOCOMMIT")
    url = server.url.set(database=BENCH_DATABASE)
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    try:
        address = url.render_as_string(hide_password=False)
        fresh = make_engine(address)
        upgrade(fresh)
        fresh.dispose()
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                data_dir=Path(folder),
                database_url=address,
                redis_url="",
                _env_file=None,  # type: ignore[call-arg]
            )
            engine = prepare_database(settings)
            measure("postgresql", engine, args.requests)
            engine.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
        server.dispose()


if __name__ == "__main__":
    main()

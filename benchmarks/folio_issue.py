"""Folios issued per second by 16 concurrent writers, on SQLite and on PostgreSQL.

Each folio is issued in its own transaction (as a registration does). Prints one line per
database, e.g. ``sqlite: 1234 folios/s, duplicates 0``.

    python benchmarks/folio_issue.py [--writers 16] [--per-writer 200]
    SUAC_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test  (default)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, text

from models.db import make_engine, upgrade
from models.folio_load import issue_concurrently

BENCH_YEAR = 2099


def measure(name: str, engine: Engine, writers: int, per_writer: int) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM folio_counter WHERE year = :y"), {"y": BENCH_YEAR})
    started = time.perf_counter()
    run = issue_concurrently(engine, writers=writers, per_writer=per_writer, year=BENCH_YEAR)
    elapsed = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM folio_counter WHERE year = :y"), {"y": BENCH_YEAR})
    print(f"{name}: {len(run.folios) / elapsed:.0f} folios/s, duplicates {run.duplicates}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--per-writer", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        measure("sqlite", engine, args.writers, args.per_writer)
        engine.dispose()
    url = os.environ.get(
        "SUAC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    engine = make_engine(url)
    measure("postgresql", engine, args.writers, args.per_writer)
    engine.dispose()


if __name__ == "__main__":
    main()

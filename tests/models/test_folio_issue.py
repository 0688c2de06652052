"""Folio issuing is atomic: 16 concurrent writers never produce a duplicate."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from models.db import make_engine, upgrade
from models.folio import make_folio
from models.folio_load import issue_concurrently

WRITERS, PER_WRITER = 16, 40


def check(run, year: int) -> None:
    assert run.duplicates == 0
    assert sorted(run.folios) == [make_folio(year, n) for n in range(1, WRITERS * PER_WRITER + 1)]


def test_sqlite_concurrent_writers(engine: Engine) -> None:
    check(issue_concurrently(engine, writers=WRITERS, per_writer=PER_WRITER, year=2026), 2026)


@pytest.mark.postgres
def test_postgres_concurrent_writers(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    try:
        check(issue_concurrently(engine, writers=WRITERS, per_writer=PER_WRITER, year=2027), 2027)
    finally:
        engine.dispose()

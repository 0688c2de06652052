"""Migrations run up on SQLite and PostgreSQL; an external database must be migrated first."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from models.config import Settings
from models.db import make_engine, pending_migrations, upgrade
from models.errors import DatabaseNotMigrated
from suac.container import prepare_database

TABLES = {
    "authority",
    "administrative_unit",
    "catalogue_entry",
    "service_request",
    "request_history",
    "folio_counter",
    "staff_user",
    "call_record",
}


def test_sqlite_upgrade_is_complete_and_idempotent(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    assert pending_migrations(engine)
    upgrade(engine)
    upgrade(engine)
    assert pending_migrations(engine) == set()
    assert set(inspect(engine).get_table_names()) >= TABLES


@pytest.mark.postgres
def test_postgres_refuses_unmigrated_then_upgrades(pg_settings: Settings) -> None:
    with pytest.raises(DatabaseNotMigrated, match="suac db upgrade"):
        prepare_database(pg_settings)
    engine = make_engine(pg_settings.resolved_database_url)
    upgrade(engine)
    assert pending_migrations(engine) == set()
    assert set(inspect(engine).get_table_names()) >= TABLES
    prepare_database(pg_settings).dispose()
    engine.dispose()

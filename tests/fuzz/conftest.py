"""Fixtures of the fuzz tests: one application per module, on a fresh embedded database with
one account per staff role, signatures on, and a local stand-in for Twilio's REST API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fuzz_support import CASES, add_staff, fuzz_settings
from sqlalchemy import Engine
from sqlmodel import select
from twilio_rest import FakeTwilioApi, start_fake_twilio

from models.catalogue import CatalogueEntry
from models.config import Settings
from models.db import session_scope
from suac.container import prepare_database
from suac.web import create_app


@pytest.fixture(scope="module")
def fuzz_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The module's settings, with a local stand-in for api.twilio.com running."""
    server: FakeTwilioApi = start_fake_twilio()
    yield fuzz_settings(tmp_path_factory.mktemp("fuzz"), server.url)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def fuzz_db(fuzz_config: Settings) -> Iterator[Engine]:
    """The module's database, migrated and seeded, with the staff accounts."""
    engine = prepare_database(fuzz_config)
    add_staff(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def fuzz_app(fuzz_config: Settings, fuzz_db: Engine) -> FastAPI:
    """The application under fuzzing (its lifespan is started by whoever calls it)."""
    return create_app(fuzz_config)


@pytest.fixture(scope="module")
def codes(fuzz_db: Engine) -> list[str]:
    """The catalogue's codes."""
    with session_scope(fuzz_db, readonly=True) as session:
        return sorted(session.exec(select(CatalogueEntry.code)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many fuzz cases ran, by test."""
    if CASES:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(CASES.items()))
        terminalreporter.write_line(f"fuzz cases: {sum(CASES.values())} ({counts})")

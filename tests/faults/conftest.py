"""Fixtures of the fault suite: the real service as its own process, on the real PostgreSQL.

Helpers used by one fault test live in that test's own ``*_support.py`` module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from database_support import ServiceProcess
from twilio_rest import FakeTwilioApi

from models.db import make_engine, upgrade


@pytest.fixture
def service_on_postgres(
    tmp_path: Path, postgres_url: str, twilio_api: FakeTwilioApi
) -> Iterator[ServiceProcess]:
    """``suac serve`` (not started yet) on the emptied, migrated PostgreSQL, sending its
    messages to a local stand-in for Twilio's API; stopped (killed if need be) after the test."""
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    service = ServiceProcess(
        data_dir=tmp_path,
        env={"SUAC_DATABASE_URL": postgres_url, "SUAC_TWILIO__API_BASE_URL": twilio_api.url},
    )
    yield service
    service.stop()

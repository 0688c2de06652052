"""Builds every long-lived part of the service, in order, from the settings.

One place creates settings, database, bus and services; the web app, the CLI and the tests
all use it, so nothing hides in module-level globals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from ivr.asterisk.part import AsteriskPart, build_asterisk
from ivr.classifier import Classifier
from ivr.twilio.part import IvrPart, build_ivr
from models.bus import EventBus, RedisBus, make_bus
from models.business_days import BusinessCalendar
from models.config import Settings
from models.confirmation_sweeper import ConfirmationSweeper
from models.db import make_engine, require_migrated, upgrade
from models.reference_data import seed
from models.request_service import RequestService

log = logging.getLogger(__name__)


@dataclass
class Container:
    """The service's parts, built once per process."""

    settings: Settings
    engine: Engine
    bus: EventBus
    calendar: BusinessCalendar
    requests: RequestService
    classifier: Classifier
    sweeper: ConfirmationSweeper
    ivr: IvrPart | None = None
    asterisk: AsteriskPart | None = None

    async def close(self) -> None:
        """Stop background work and release connections."""
        await self.sweeper.stop()
        if self.asterisk is not None:
            await self.asterisk.close()
        if self.ivr is not None:
            await self.ivr.close()
        await self.bus.close()
        self.engine.dispose()


def prepare_database(settings: Settings) -> Engine:
    """The engine, migrated and seeded on the embedded default; checked on an external one."""
    engine = make_engine(settings.resolved_database_url)
    if settings.is_embedded_database:
        upgrade(engine)
    else:
        require_migrated(engine)
    report = seed(
        engine, authorities_path=settings.authorities_path, catalogue_path=settings.catalogue_path
    )
    if report is not None:
        log.info("catalogue seeded: %d entries", len(report.added))
    return engine


async def build_container(settings: Settings) -> Container:
    """Create every part, in dependency order."""
    engine = prepare_database(settings)
    bus = make_bus(settings.redis_url)
    if isinstance(bus, RedisBus):
        await bus.ping()
    calendar = BusinessCalendar.from_file(
        settings.calendar_path, zone=settings.zone, cutoff_hour=settings.reception_cutoff_hour
    )
    requests = RequestService(
        engine=engine,
        calendar=calendar,
        bus=bus,
        due_soon_days=settings.due_soon_business_days,
        confirmation_window=timedelta(hours=settings.confirmation_window_hours),
    )
    classifier = Classifier.from_engine(engine)
    sweeper = ConfirmationSweeper(requests=requests, interval=settings.confirmation_sweep_seconds)
    sweeper.start()
    ivr = build_ivr(settings, engine=engine, bus=bus, requests=requests, classifier=classifier)
    await ivr.start()
    asterisk = build_asterisk(settings, engine=engine, bus=bus, flow=ivr.flow)
    return Container(
        settings=settings,
        engine=engine,
        bus=bus,
        calendar=calendar,
        requests=requests,
        classifier=classifier,
        sweeper=sweeper,
        ivr=ivr,
        asterisk=asterisk,
    )

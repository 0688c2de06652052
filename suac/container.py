"""The composition root: builds every long-lived part of the service, in order, and starts
nothing. Roles (:mod:`suac.roles`) start what they own; one-shot commands use the parts as
built.

    container = await build_container(get_settings())
    ...
    await container.close()
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import stamina
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ivr.asterisk.part import AsteriskPart, build_asterisk
from ivr.classifier import Classifier
from ivr.telephony import Telephony
from ivr.twilio.agent_dispatch import TwilioAgents
from ivr.twilio.commands import TWILIO, TwilioCommands
from ivr.twilio.message_jobs import message_handlers, message_reactions
from ivr.twilio.part import IvrPart, build_ivr
from models.agent_presence import Presence
from models.agent_status import AgentStatusBook
from models.bus import EventBus, InProcessBus, RedisBus, make_bus
from models.business_days import BusinessCalendar
from models.catalogue_import import Stage
from models.commands import CommandClient
from models.config import Settings
from models.db import make_engine, require_migrated, upgrade
from models.errors import DatabaseNotFound
from models.job_worker import Handler
from models.jobs import JobQueue
from models.notifier import Notifier
from models.periodic import Leases
from models.primary_roads import seed_roads
from models.reference_data import seed
from models.request_service import RequestService

log = logging.getLogger(__name__)
STARTUP_LOCK_WAIT = 120.0  # seconds a starting process may wait for another's seeding
SEED_ATTEMPTS = 5


@dataclass
class Container:
    """The service's parts, built once per process."""

    settings: Settings
    engine: Engine
    bus: EventBus
    jobs: JobQueue
    leases: Leases
    notifier: Notifier
    calendar: BusinessCalendar
    requests: RequestService
    classifier: Classifier
    ivr: IvrPart
    asterisk: AsteriskPart
    telephony: Telephony
    twilio_agents: TwilioAgents
    agent_states: AgentStatusBook  # the agents' latest states, for the pages (web role)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def use_classifier(self, classifier: Classifier) -> None:
        """Swap in a classifier rebuilt after a reference-data change (one assignment each,
        so a request sees the old one or the new one, never a mix)."""
        self.classifier = classifier
        self.ivr.flow.classifier = classifier

    async def close(self) -> None:
        """Release connections (the roles stop their own tasks first)."""
        await self.telephony.close()
        await self.ivr.close()
        await self.bus.close()
        self.engine.dispose()


def outbox_stage(engine: Engine) -> Stage:
    """Stages events in a transaction for processes without a bus of their own (the seed, one-shot
    commands): the worker role's outbox relay publishes them on the configured bus."""
    return Notifier(engine=engine, bus=InProcessBus()).stage


def prepare_database(settings: Settings, *, create: bool = True) -> Engine:
    """The engine, migrated and seeded on the embedded default; checked on an external one.

    With ``create=False`` (one-shot commands) a missing embedded database is refused with the
    place it was looked for, instead of a new, empty one being made there.
    """
    if settings.is_embedded_database and not create and not settings.database_path.exists():
        raise DatabaseNotFound(
            f"No hay base de datos en {settings.database_path}. Inicie el servicio con "
            "«suac serve» o indique la carpeta de datos con SUAC_DATA_DIR."
        )
    _migrate_and_seed(settings)
    return make_engine(
        settings.resolved_database_url,
        busy_timeout_seconds=settings.database_busy_timeout_seconds,
    )


def _migrate_and_seed(settings: Settings) -> None:
    """Migrate (embedded) or check, then seed, on an engine of its own whose lock waits are
    long: processes started together seed the same rows, and a start is no caller to answer
    within seconds; the one that loses a race for a row seeds again."""
    engine = make_engine(settings.resolved_database_url, busy_timeout_seconds=STARTUP_LOCK_WAIT)
    try:
        if settings.is_embedded_database:
            upgrade(engine)
        else:
            require_migrated(engine)
        # two processes seeding an empty database at once: the one that lost the race for a
        # row tries again and finds everything there
        for attempt in stamina.retry_context(on=IntegrityError, attempts=SEED_ATTEMPTS):
            with attempt:
                _seed(engine, settings)
    finally:
        engine.dispose()


def _seed(engine: Engine, settings: Settings) -> None:
    report = seed(
        engine,
        authorities_path=settings.authorities_path,
        catalogue_path=settings.catalogue_path,
        stage=outbox_stage(engine),
    )
    if report is not None:
        log.info("catalogue seeded: %d entries", len(report.added))
    if roads := seed_roads(engine):
        log.info("primary roads seeded: %d", roads)


async def _warn_unless_reachable(bus: RedisBus) -> None:
    """Start even while Redis is away: the parts that need it wait and resume (as they do
    through an outage), and the operator is told at once."""
    try:
        await bus.ping()
    except Exception as error:  # noqa: BLE001  (any failure: the outage is logged, not fatal)
        log.warning("Redis no responde al arrancar (%s): se usará cuando vuelva", error)


async def build_container(settings: Settings, *, create_database: bool = True) -> Container:
    """Create every part, in dependency order; nothing runs until a role starts it."""
    engine = prepare_database(settings, create=create_database)
    bus = make_bus(settings.redis_url)
    if isinstance(bus, RedisBus):
        await _warn_unless_reachable(bus)
    jobs = JobQueue(engine=engine, lease=timedelta(seconds=settings.worker.lease_seconds))
    notifier = Notifier(engine=engine, bus=bus, jobs=jobs)
    calendar = BusinessCalendar.from_file(
        settings.calendar_path, zone=settings.zone, cutoff_hour=settings.reception_cutoff_hour
    )
    requests = RequestService(
        engine=engine,
        calendar=calendar,
        notifier=notifier,
        due_soon_days=settings.due_soon_business_days,
        confirmation_window=timedelta(hours=settings.confirmation_window_hours),
    )
    classifier = Classifier.from_engine(engine)
    ivr = build_ivr(
        settings,
        engine=engine,
        notifier=notifier,
        jobs=jobs,
        requests=requests,
        classifier=classifier,
    )
    for reaction in message_reactions(sender=ivr.sender):
        notifier.react(reaction)
    asterisk = build_asterisk(settings, notifier=notifier, flow=ivr.flow)
    telephony = Telephony(
        client=CommandClient(redis_url=settings.redis_url),
        servers=[server.name for server in settings.asterisk.servers],
        timeout=settings.asterisk.action_timeout_seconds,
    )
    if settings.twilio.account_sid:  # Twilio's REST API is reachable from every process
        twilio = TwilioCommands(sender=ivr.sender, settings=settings)
        telephony.client.serve_locally(TWILIO, twilio.handlers())
    handlers: dict[str, Handler] = {
        **message_handlers(sender=ivr.sender, requests=requests),
        **ivr.job_handlers(),
    }
    return Container(
        settings=settings,
        engine=engine,
        bus=bus,
        jobs=jobs,
        leases=Leases(engine=engine),
        notifier=notifier,
        calendar=calendar,
        requests=requests,
        classifier=classifier,
        ivr=ivr,
        asterisk=asterisk,
        telephony=telephony,
        twilio_agents=TwilioAgents(
            presence=Presence(
                engine=engine, rest=timedelta(seconds=settings.asterisk.queue.wrapup_seconds)
            ),
            notifier=notifier,
        ),
        agent_states=AgentStatusBook(bus=bus),
        handlers=handlers,
    )

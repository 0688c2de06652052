"""Process roles: each starts what it owns, from a container that started nothing.

- every role: keeps the classifier and the IVR's directory current with the reference data;
- ``web``: HTTP (webhooks, APIs, pages), the pages' live streams, the recent calls the
  screen pops read and the wallboard's live figures; keeps the wait estimate current;
- ``telephony``: the AMI links and the FastAGI server (one process per deployment), the
  telephony commands and the queues' live state;
- ``worker``: jobs, periodic tasks (each once per deployment, under a lease: among them the
  purge of callers' numbers and words past ``retention_days``), the call recorder, the
  call-back dispatcher, the Twilio agents' dispatcher and the end of supervisors' listening
  sessions (the audit log).

The embedded default runs all three in one process (``suac serve``); production runs them
apart (``suac serve --role web``, ``suac asterisk run``, ``suac worker``)::

    runtime = Runtime(container, roles={"worker"})
    await runtime.start()
    ...
    await runtime.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from functools import partial
from pathlib import Path

from prometheus_client.registry import Collector
from sqlalchemy import Engine

from agent_console.live import LiveHub
from ivr.asterisk.constants import UTTERANCES_DIR
from ivr.asterisk.link_metrics import AmiLinks
from ivr.reference_reload import ReferenceReloader
from ivr.telephony_owner import TelephonyOwner
from ivr.twilio.agent_dispatch import AgentDispatcher
from ivr.twilio.callbacks import CallbackDispatcher
from ivr.twilio.redis_retention import forget_old_calls
from models.call_records import CallRecorder
from models.config import Settings
from models.job_worker import JobWorker, worker_name
from models.metrics.definitions import rules_of
from models.metrics.live_feed import LiveFeed
from models.open_data.files import open_data_dir, publish_open_data
from models.periodic import PeriodicTask
from models.queue_gauges import QueueGauges
from models.recent_calls import RecentCalls
from models.retention import RetentionJob, Sweep, forget_old_files, trim_event_stream
from models.spy_audit import SpyAuditCloser
from models.telemetry import Exposition
from models.telemetry_collectors import CallsToday, JobDepth
from suac.container import Container
from suac.metrics_server import MetricsServer

log = logging.getLogger(__name__)

WEB, TELEPHONY, WORKER = "web", "telephony", "worker"
ALL_ROLES = frozenset({WEB, TELEPHONY, WORKER})


def retention_job(settings: Settings, engine: Engine) -> RetentionJob:
    """The purge of callers' numbers and words past ``retention_days``: the database, and the
    Redis call state and event stream where Redis holds them."""
    sweeps: dict[str, Sweep] = {}
    if settings.redis_url:
        sweeps["redis_events"] = partial(trim_event_stream, settings.redis_url)
    if settings.ivr.state_redis_url:
        sweeps["redis_calls"] = partial(forget_old_calls, settings.ivr.state_redis_url)
    return RetentionJob(engine=engine, days=settings.retention_days, sweeps=sweeps)


def utterance_retention_job(settings: Settings) -> RetentionJob:
    """The purge of the recordings of callers' answers (Asterisk's ``record`` speech) past
    ``retention_days``, on the host that reads them."""
    folder = Path(settings.asterisk.recordings_dir) / UTTERANCES_DIR
    sweeps: dict[str, Sweep] = {"utterances": partial(forget_old_files, folder)}
    return RetentionJob(engine=None, days=settings.retention_days, sweeps=sweeps)


class Runtime:
    """The tasks of some roles in this process."""

    def __init__(self, container: Container, *, roles: Collection[str]) -> None:
        unknown = set(roles) - ALL_ROLES
        if unknown:
            raise ValueError(f"Rol desconocido: {', '.join(sorted(unknown))}.")
        self.container, self.roles = container, frozenset(roles)
        self.name = worker_name("+".join(sorted(self.roles)))
        self._stops: list[Callable[[], Awaitable[None]]] = []
        self.live = LiveHub(bus=container.bus)  # the pages' live streams (web role)
        self.recent_calls = RecentCalls(bus=container.bus)  # the screen pops' calls (web role)
        self.queue_gauges = QueueGauges(bus=container.bus)  # /metrics' queue state (web role)
        self.live_figures = LiveFeed(  # the supervisors' wallboard (web role)
            bus=container.bus,
            engine=container.engine,
            rules=rules_of(container.settings),
            history_hours=container.settings.metrics.wallboard_hours,
        )
        self.exposition = Exposition(collectors=self._collectors())

    def _collectors(self) -> list[Collector]:
        """What this process's scrape reads: the shared state once per deployment's web
        processes (any of them answers alike), each AMI link where the links are held."""
        c = self.container
        collectors: list[Collector] = []
        if WEB in self.roles:
            rules = rules_of(c.settings)
            collectors += [self.queue_gauges, JobDepth(c.engine), CallsToday(c.engine, rules)]
        if TELEPHONY in self.roles and c.settings.asterisk.servers:
            collectors.append(AmiLinks(c.asterisk.bridge))
        return collectors

    async def start(self) -> None:
        """Start what the roles own, in dependency order."""
        c = self.container
        reloader = ReferenceReloader(
            bus=c.bus, engine=c.engine, directory=c.ivr.directory, install=c.use_classifier
        )
        await self._run(reloader.start, reloader.stop)
        if self.roles & {WEB, TELEPHONY}:
            await self._run(c.ivr.estimator.start, c.ivr.estimator.stop)
        if WEB in self.roles:
            await self._run(c.agent_states.start, c.agent_states.stop)
            await self._run(self.recent_calls.start, self.recent_calls.stop)
            await self._run(self.live.start, self.live.stop)
            await self._run(self.queue_gauges.start, self.queue_gauges.stop)
            await self._run(self.live_figures.start, self.live_figures.stop)
        elif c.settings.metrics_address:
            server = MetricsServer(address=c.settings.metrics_address, exposition=self.exposition)
            await self._run(server.start, server.stop)
        if TELEPHONY in self.roles and c.settings.asterisk.servers:
            await self._run(c.asterisk.start, c.asterisk.close)
            utterances = PeriodicTask(
                name="retention-utterances",
                interval=c.settings.retention_sweep_seconds,
                run=utterance_retention_job(c.settings).run,
                leases=c.leases,
                holder=self.name,
            )
            await self._run(utterances.start, utterances.stop)
        if TELEPHONY in self.roles:
            owner = TelephonyOwner(
                telephony=c.telephony,
                bridge=c.asterisk.bridge,
                notifier=c.notifier,
                queue=c.settings.ivr.agent_queue,
                holder=self.name,
                refresh_seconds=c.settings.asterisk.queue_refresh_seconds,
                presence=c.twilio_agents.presence,
            )
            await self._run(owner.start, owner.stop)
        if WORKER in self.roles:
            await self._start_worker()
        log.info("roles %s started (%s)", ", ".join(sorted(self.roles)), self.name)

    async def _run(
        self, start: Callable[[], Awaitable[object]], stop: Callable[[], Awaitable[None]]
    ) -> None:
        await start()
        self._stops.append(stop)

    async def _start_worker(self) -> None:
        c = self.container
        settings = c.settings
        worker = JobWorker(
            queue=c.jobs,
            handlers=c.handlers,
            name=self.name,
            poll_seconds=settings.worker.poll_seconds,
            concurrency=settings.worker.concurrency,
        )
        await self._run(worker.start, worker.stop)
        recorder = CallRecorder(engine=c.engine, bus=c.bus, name=self.name)
        await self._run(recorder.start, recorder.stop)
        spy_ends = SpyAuditCloser(engine=c.engine, bus=c.bus, name=self.name)
        await self._run(spy_ends.start, spy_ends.stop)
        for task in (
            PeriodicTask(
                name="outbox-relay",
                interval=settings.worker.relay_seconds,
                run=c.notifier.relay,
                leases=c.leases,
                holder=self.name,
            ),
            PeriodicTask(
                name="job-purge",
                interval=3600,
                run=c.jobs.purge,
                leases=c.leases,
                holder=self.name,
            ),
            PeriodicTask(
                name="confirmation-sweep",
                interval=settings.confirmation_sweep_seconds,
                run=c.requests.close_unconfirmed,
                leases=c.leases,
                holder=self.name,
            ),
            PeriodicTask(
                name="retention",
                interval=settings.retention_sweep_seconds,
                run=retention_job(settings, c.engine).run,
                leases=c.leases,
                holder=self.name,
            ),
            PeriodicTask(
                name="open-data",
                interval=settings.public.open_data_interval_seconds,
                run=partial(
                    publish_open_data, c.engine, open_data_dir(settings), calendar=c.calendar
                ),
                leases=c.leases,
                holder=self.name,
            ),
        ):
            await self._run(task.start, task.stop)
        if c.ivr.callbacks is not None:
            dispatcher = CallbackDispatcher(
                bus=c.bus, callbacks=c.ivr.callbacks, leases=c.leases, holder=self.name
            )
            await self._run(dispatcher.start, dispatcher.stop)
        agents = AgentDispatcher(
            bus=c.bus,
            agents=c.twilio_agents,
            telephony=c.telephony,
            leases=c.leases,
            holder=self.name,
            ring_seconds=settings.console.twilio_ring_seconds,
        )
        await self._run(agents.start, agents.stop)

    async def stop(self) -> None:
        """Stop everything started, last first."""
        while self._stops:
            stop = self._stops.pop()
            try:
                await stop()
            except Exception:
                log.exception("could not stop %s cleanly", stop)

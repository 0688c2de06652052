"""The one publisher of events, with an outbox so that no event is lost to a bus outage.

Domain changes *stage* their events inside their own transaction: the event is written to
``outbox_event`` with the change, and the jobs that react to it (an SMS to the citizen) are
enqueued in that same transaction. After the commit the notifier *flushes* them to the bus and
marks them published. Call and queue events, which have no transaction of their own, are
*published* directly and written to the outbox only when the bus cannot take them. A worker
*relays* whatever is still unpublished once the bus is back. Delivery is at least once;
every event carries its ``event_id`` for consumers that must not apply it twice::

    notifier = Notifier(engine=engine, bus=bus)
    with session_scope(engine) as session:
        ...                                   # the change
        notifier.stage(session, event)
    await notifier.flush([event])
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from models.bus import EventBus
from models.cancellation import raise_if_cancelled
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.events import BaseEvent, decode_event
from models.jobs import JobQueue, JobSpec, enqueue
from models.outbox import OutboxEvent

log = logging.getLogger(__name__)

Reaction = Callable[[BaseEvent], Iterable[JobSpec]]
PUBLISH_TIMEOUT_SECONDS = 0.5
BUS_PAUSE_SECONDS = 5.0  # after a failed publish, go straight to the outbox for a while
RELAY_GRACE = timedelta(seconds=2)  # leave fresh rows to the process that staged them
KEEP_PUBLISHED = timedelta(days=2)
RELAY_BATCH = 500


class Notifier:
    """Publishes every event of the service; jobs react to them in the same transaction."""

    def __init__(
        self,
        *,
        engine: Engine,
        bus: EventBus,
        jobs: JobQueue | None = None,
        publish_timeout: float = PUBLISH_TIMEOUT_SECONDS,
    ) -> None:
        self._engine, self.bus, self._jobs = engine, bus, jobs
        self._timeout = publish_timeout
        self._reactions: list[Reaction] = []
        self._bus_down_until = 0.0

    def react(self, reaction: Reaction) -> None:
        """Enqueue the jobs ``reaction`` asks for whenever an event is staged."""
        self._reactions.append(reaction)

    def _jobs_for(self, event: BaseEvent) -> list[JobSpec]:
        return [spec for reaction in self._reactions for spec in reaction(event)]

    def stage(self, session: Session, event: BaseEvent, jobs: list[JobSpec] | None = None) -> None:
        """Write ``event`` and the ``jobs`` it calls for (the reactions' when not given) inside
        the caller's transaction."""
        session.add(OutboxEvent(event_id=event.event_id, payload=event.model_dump_json()))
        for spec in self._jobs_for(event) if jobs is None else jobs:
            enqueue(session, spec)

    async def flush(self, events: Sequence[BaseEvent]) -> None:
        """After the commit: publish staged events; what fails waits for the relay."""
        if not events:
            return
        if self._jobs is not None and self._reactions:
            self._jobs.poke()
        sent = [e.event_id for e in events if await self._send(e)]
        if sent:
            try:
                await run_blocking(self._engine, lambda: self._mark(sent))
            except Exception:  # the relay will publish them again: at least once
                log.exception("could not mark %d events as published", len(sent))

    async def publish(self, event: BaseEvent) -> None:
        """Publish an event that belongs to no transaction (calls, agents, queues).

        It never raises: when the bus cannot take it, it is kept in the outbox for the relay.
        """
        jobs = self._jobs_for(event)
        if jobs:
            await run_blocking(self._engine, lambda: self._stage_alone(event, jobs))
            await self.flush([event])
            return
        if await self._send(event):
            return
        try:
            await run_blocking(self._engine, lambda: self._stage_alone(event, jobs))
        except Exception:
            log.exception("event %s lost: neither the bus nor the database took it", event)

    def _stage_alone(self, event: BaseEvent, jobs: list[JobSpec]) -> None:
        with session_scope(self._engine) as session:
            self.stage(session, event, jobs)

    async def _send(self, event: BaseEvent, *, probe: bool = False) -> bool:
        """Publish on the bus; False when it failed (or failed a moment ago: a caller's step
        never waits for a bus that is down, one time-out in ``BUS_PAUSE_SECONDS`` at most).
        The relay ``probe``s: it tries anyway, and its success ends the pause."""
        loop = asyncio.get_running_loop()
        if not probe and loop.time() < self._bus_down_until:
            return False
        try:
            async with asyncio.timeout(self._timeout):  # no task per event, unlike wait_for
                await self.bus.publish(event)
        except Exception as error:  # noqa: BLE001  (any bus failure: keep it for the relay)
            raise_if_cancelled()
            self._bus_down_until = loop.time() + BUS_PAUSE_SECONDS
            log.warning("bus unavailable, %s kept in the outbox: %s", type(event).__name__, error)
            return False
        self._bus_down_until = 0.0
        return True

    def _mark(self, event_ids: list[str]) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(OutboxEvent)
                .where(col(OutboxEvent.event_id).in_(event_ids))
                .values(published_at=utcnow())
            )

    async def relay(self) -> int:
        """Publish what is still in the outbox (oldest first) after a grace period that leaves
        fresh rows to the process that staged them; how many went out."""
        return await self._relay(utcnow() - RELAY_GRACE)

    async def relay_now(self) -> int:
        """Publish everything still in the outbox, however fresh."""
        return await self._relay(utcnow())

    async def _relay(self, before: datetime) -> int:
        def pending() -> list[tuple[str, str]]:
            with session_scope(self._engine, readonly=True) as session:
                rows = session.exec(
                    select(OutboxEvent.event_id, OutboxEvent.payload)
                    .where(col(OutboxEvent.published_at).is_(None))
                    .where(col(OutboxEvent.created_at) < before)
                    .order_by(col(OutboxEvent.id))
                    .limit(RELAY_BATCH)
                )
                return [(event_id, payload) for event_id, payload in rows]

        sent: list[str] = []
        for event_id, payload in await run_blocking(self._engine, pending):
            if not await self._send(decode_event(payload), probe=True):
                break
            sent.append(event_id)
        if sent:
            await run_blocking(self._engine, lambda: self._mark(sent))
            log.info("relayed %d events from the outbox", len(sent))
        await run_blocking(self._engine, self._purge)
        return len(sent)

    def _purge(self) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(OutboxEvent).where(col(OutboxEvent.published_at) < utcnow() - KEEP_PUBLISHED)
            )

    async def unpublished(self) -> int:
        """How many events wait for the bus (for ``/readyz``)."""

        def work() -> int:
            from sqlmodel import func

            with session_scope(self._engine, readonly=True) as session:
                statement = select(func.count()).select_from(OutboxEvent)
                statement = statement.where(col(OutboxEvent.published_at).is_(None))
                return int(session.exec(statement).one())

        return await run_blocking(self._engine, work)

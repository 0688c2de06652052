"""The call recorder: the only writer of call records, for every transport, and of what the
metrics' reports read: each queued call's fact (``models.metrics.facts``) and the agents'
state changes (``models.metrics.agent_log``).

It consumes the bus as the ``call-recorder`` group (on Redis, each event goes to one worker and
is acknowledged once written; a dead worker's events are claimed again), and writes events in
batches, in a worker thread. Applying an event twice, late or out of order changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    StatementError,
)
from sqlmodel import Session

from models.bus import EventBus
from models.call_facts import apply_event, call_id_of
from models.calls import CallRecord
from models.consumer import BackgroundTask
from models.db import session_scope
from models.errors import DatabaseBusy
from models.events import AgentStateChanged, BaseEvent
from models.metrics.agent_log import store_agent_states
from models.metrics.facts import store_fact

log = logging.getLogger(__name__)


def _record(session: Session, cache: dict[str, CallRecord], event: BaseEvent) -> CallRecord:
    """The record of the event's call, locked for this transaction; created on first sight."""
    call_id = call_id_of(event) or ""
    record = cache.get(call_id) or session.get(CallRecord, call_id, with_for_update=True)
    if record is None:
        record = CallRecord(call_id=call_id, transport="", started_at=event.occurred_at)
        session.add(record)
    cache[call_id] = record
    return record


def recorded(event: BaseEvent) -> bool:
    """Whether the recorder keeps ``event``: call events and agents' state changes."""
    return bool(call_id_of(event)) or isinstance(event, AgentStateChanged)


def write_events(engine: Engine, events: Iterable[BaseEvent]) -> int:
    """Apply ``events`` to call records and store agents' state changes, in one transaction;
    return how many changed something.

    An event already applied to its record or stored (same event id) is skipped.
    """
    applied = 0
    with session_scope(engine) as session:
        cache: dict[str, CallRecord] = {}
        agents: list[AgentStateChanged] = []
        for event in events:
            if isinstance(event, AgentStateChanged):
                agents.append(event)
            elif call_id_of(event):
                applied += apply_event(_record(session, cache, event), event)
        for record in cache.values():
            store_fact(session, record)
        applied += store_agent_states(session, agents)
    return applied


UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, DatabaseBusy)
"""What a database that is down, restarting or locked raises (worth waiting for)."""


class CallRecorder(BackgroundTask):
    """Consumes call events from the bus (group ``call-recorder``) and writes call records;
    events left unacknowledged by a stop are taken again by another member or at restart."""

    GROUP = "call-recorder"

    def __init__(self, *, engine: Engine, bus: EventBus, name: str) -> None:
        super().__init__()
        self._engine, self._bus, self._name = engine, bus, name

    async def _run(self) -> None:
        async with self._bus.consume(self.GROUP, self._name) as deliveries:
            self._ready.set()
            async for delivery in deliveries:
                if recorded(delivery.event):
                    await self._write([delivery.event])
                await delivery.ack()

    async def _write(self, events: list[BaseEvent]) -> None:
        """Write ``events``, retrying while the database is away; events the database refuses
        (a value it cannot store) are logged and left out, so the call records go on."""
        while True:
            try:
                await asyncio.to_thread(write_events, self._engine, events)
                return
            except UNAVAILABLE:  # the database is down or busy: keep the events, try again
                log.exception("could not write %d call events; retrying", len(events))
                await asyncio.sleep(1.0)
            except (DBAPIError, StatementError, ArithmeticError, ValueError) as error:
                names = ", ".join(f"{type(event).__name__} {call_id_of(event)}" for event in events)
                kind = error.__class__.__name__
                log.error("call events not recorded, refused by the database (%s): %s", names, kind)
                return

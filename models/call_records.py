"""The call recorder: the only writer of call records, for every transport.

It consumes the bus as the ``call-recorder`` group (on Redis, each event goes to one worker and
is acknowledged once written; a dead worker's events are claimed again), and writes events in
batches, in a worker thread. Applying an event twice, late or out of order changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session

from models.bus import EventBus
from models.calls import CallRecord, CallStatus
from models.db import session_scope
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallQueued,
    CallRecordingStarted,
    CallStarted,
    RequestRegistered,
)

log = logging.getLogger(__name__)


def _record(session: Session, cache: dict[str, CallRecord], call_id: str) -> CallRecord:
    record = cache.get(call_id) or session.get(CallRecord, call_id)
    if record is None:
        record = CallRecord(call_id=call_id, transport="")
        session.add(record)
    cache[call_id] = record
    return record


def _apply(record: CallRecord, event: BaseEvent) -> None:
    match event:
        case CallStarted():
            record.transport = event.transport
            record.caller, record.called = event.caller, event.called
            record.started_at = event.occurred_at
        case CallQueued():
            record.queue = event.queue
            record.queued_at = record.queued_at or event.occurred_at
            if record.status == CallStatus.IN_PROGRESS:
                record.status = CallStatus.QUEUED
        case CallConnected():
            record.answered_at, record.agent = event.occurred_at, event.agent
            record.queue, record.wait_seconds = event.queue, event.wait_seconds
            record.status = CallStatus.ANSWERED
        case CallAbandoned():
            record.queue, record.wait_seconds = event.queue, event.wait_seconds
            record.status = CallStatus.ABANDONED
        case CallRecordingStarted():
            record.recording = event.path
        case CallEnded():
            record.ended_at, record.duration_seconds = event.occurred_at, event.duration_seconds
            record.status, record.cause = event.status or record.status, event.cause[:64]


RECORDED = (
    CallStarted | CallQueued | CallConnected | CallAbandoned | CallRecordingStarted | CallEnded
)


def _call_id(event: BaseEvent) -> str | None:
    if isinstance(event, RequestRegistered):
        return event.call_id
    return event.call_id if isinstance(event, RECORDED) else None


def write_events(engine: Engine, events: Iterable[BaseEvent]) -> int:
    """Apply ``events`` to call records in one transaction; return how many touched a record."""
    applied = 0
    with session_scope(engine) as session:
        cache: dict[str, CallRecord] = {}
        for event in events:
            call_id = _call_id(event)
            if isinstance(event, RequestRegistered):  # a folio registered during a call
                record = cache.get(call_id or "") or session.get(CallRecord, call_id)
                if record is not None:
                    record.folio = event.folio
                    applied += 1
            elif call_id:
                _apply(_record(session, cache, call_id), event)
                applied += 1
    return applied


def attach_call_facts(
    engine: Engine, *, call_id: str, recording: str | None = None, folio: str | None = None
) -> None:
    """Tie a recording and the folio registered in a call to the call's record."""
    with session_scope(engine) as session:
        record = _record(session, {}, call_id)
        record.recording = recording or record.recording
        record.folio = folio or record.folio


class CallRecorder:
    """Consumes call events from the bus and writes them to call records, in batches."""

    GROUP = "call-recorder"

    def __init__(self, *, engine: Engine, bus: EventBus, name: str) -> None:
        self._engine, self._bus, self._name = engine, bus, name
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Follow the bus in the background (joined to the group before this returns)."""
        self._task = asyncio.create_task(self._run(), name="call-recorder")
        await self._ready.wait()

    async def stop(self) -> None:
        """Stop; unacknowledged events are taken again by another member or at restart."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        async with self._bus.consume(self.GROUP, self._name) as deliveries:
            self._ready.set()
            async for delivery in deliveries:
                if _call_id(delivery.event):
                    await self._write([delivery.event])
                await delivery.ack()

    async def _write(self, events: list[BaseEvent]) -> None:
        while True:
            try:
                await asyncio.to_thread(write_events, self._engine, events)
                return
            except Exception:  # the database is down: keep the event, try again
                log.exception("could not write %d call events; retrying", len(events))
                await asyncio.sleep(1.0)

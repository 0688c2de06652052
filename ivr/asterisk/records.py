"""Call records written from call events, in batches, in a worker thread.

The AMI loop only queues events (:meth:`CallRecordWriter.offer` never blocks); the database
work runs in a thread so Asterisk never waits on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session

from ivr.asterisk import constants as names
from models.calls import CallRecord
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
BATCH = 500


def _record(session: Session, cache: dict[str, CallRecord], call_id: str) -> CallRecord:
    record = cache.get(call_id) or session.get(CallRecord, call_id)
    if record is None:
        record = CallRecord(call_id=call_id, transport="asterisk")
        session.add(record)
    cache[call_id] = record
    return record


def _apply(record: CallRecord, event: BaseEvent) -> None:
    match event:
        case CallStarted():
            record.caller, record.called = event.caller, event.called
            record.started_at = event.occurred_at
        case CallQueued():
            record.queue = event.queue
            record.queued_at = record.queued_at or event.occurred_at
            if record.status == names.STATUS_IN_PROGRESS:
                record.status = names.STATUS_QUEUED
        case CallConnected():
            record.answered_at, record.agent = event.occurred_at, event.agent
            record.queue, record.wait_seconds = event.queue, event.wait_seconds
            record.status = names.STATUS_ANSWERED
        case CallAbandoned():
            record.queue, record.wait_seconds = event.queue, event.wait_seconds
            record.status = names.STATUS_ABANDONED
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


class CallRecordWriter:
    """Queues call events and writes them in batches off the event loop."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[BaseEvent] = asyncio.Queue()

    def offer(self, event: BaseEvent) -> None:
        """Queue an event for writing (never blocks)."""
        if _call_id(event):
            self._queue.put_nowait(event)

    async def run(self) -> None:
        """Write queued events until cancelled."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < BATCH:
                batch.append(self._queue.get_nowait())
            try:
                await asyncio.to_thread(write_events, self._engine, batch)
            except Exception:  # noqa: BLE001  (the next batch may well succeed)
                log.exception("could not write %d call events", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued event has been written."""
        await self._queue.join()

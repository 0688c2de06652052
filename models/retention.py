"""How long the IVR keeps what callers said and the numbers they called from.

Past ``retention_days`` (``SUAC_RETENTION_DAYS``) the worker, once per deployment under a
lease, deletes the IVR's sessions (each call's and each text conversation's state: the caller's
number and everything they said or wrote) and the call-backs booked in the IVR (number and
hand-off context), and removes the transcript and the place's reference the caller said from
each call record's hand-off context (the record keeps the rest: path, category guesses,
alcaldía, why it was handed over) and the recorded references kept for a person to transcribe
(the request keeps what was typed, and who typed it). Other stores are swept by the ``sweeps``
given (the Redis call state and event stream, when Redis is used; the recordings of callers'
answers on the Asterisk host, by the telephony role)::

    job = RetentionJob(engine=engine, days=90, sweeps={"redis-events": trim})
    purged = await job.run()   # {"ivr_session": 12, "callback_request": 1, ...}

Every sweep is idempotent: a second run finds nothing more to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, String, cast, delete, update
from sqlmodel import Session, col, select

from models.bus import STREAM
from models.calls import CallRecord
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.ivr_sessions import CallbackRequest, IvrSession
from models.reference_audio import ReferenceAudio

log = logging.getLogger(__name__)
HEARD = ("transcript", "reference")  # what a call record's hand-off keeps of the caller's words
BATCH = 500


class Sweep(Protocol):
    """Purges one store of what is older than ``before``; how many items went."""

    def __call__(self, *, before: datetime) -> Awaitable[int]: ...


def _forget_heard(session: Session, before: datetime) -> int:
    """Remove the caller's words from the hand-off of calls started before ``before``."""
    forgotten, last = 0, ""
    while True:
        statement = (
            select(CallRecord)
            .where(col(CallRecord.started_at) < before, col(CallRecord.call_id) > last)
            .where(cast(CallRecord.handoff, String).contains('"transcript"'))
            .order_by(col(CallRecord.call_id))
            .limit(BATCH)
        )
        records = list(session.exec(statement))
        for record in records:
            record.handoff = {k: v for k, v in (record.handoff or {}).items() if k not in HEARD}
            session.add(record)
        session.flush()
        forgotten += len(records)
        if len(records) < BATCH:
            return forgotten
        last = records[-1].call_id


def purge_database(engine: Engine, *, before: datetime) -> dict[str, int]:
    """Delete the sessions and booked call-backs older than ``before``, the callers' words in
    older call records and older recorded references, in one transaction; how many rows of
    each table."""
    with session_scope(engine) as session:
        connection = session.connection()
        sessions = connection.execute(
            delete(IvrSession).where(
                col(IvrSession.created_at) < before, col(IvrSession.updated_at) < before
            )
        ).rowcount
        callbacks = connection.execute(
            delete(CallbackRequest).where(col(CallbackRequest.requested_at) < before)
        ).rowcount
        records = _forget_heard(session, before)
        kept = col(ReferenceAudio.audio).is_not(None) | col(ReferenceAudio.source_url).is_not(None)
        recordings = connection.execute(
            update(ReferenceAudio)
            .where(col(ReferenceAudio.recorded_at) < before, kept)
            .values(audio=None, source_url=None)
        ).rowcount
    return {
        "ivr_session": sessions,
        "callback_request": callbacks,
        "call_record": records,
        "reference_audio": recordings,
    }


async def trim_event_stream(url: str, *, before: datetime, stream: str = STREAM) -> int:
    """Drop the bus's Redis stream entries older than ``before`` (their ids are milliseconds);
    how many."""
    import redis.asyncio as redis

    client = redis.from_url(url)
    try:
        minid = int(before.timestamp() * 1000)
        return int(await client.xtrim(stream, minid=minid, approximate=False))
    finally:
        await client.aclose()


async def forget_old_files(folder: Path, *, before: datetime) -> int:
    """Delete the files directly in ``folder`` last written before ``before``; how many."""

    def work() -> int:
        if not folder.is_dir():
            return 0
        limit, forgotten = before.timestamp(), 0
        for path in folder.iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                forgotten += 1
        return forgotten

    return await asyncio.to_thread(work)


class RetentionJob:
    """Purges, every time it runs, what is older than ``days`` in the database (unless
    ``engine`` is None) and in ``sweeps``."""

    def __init__(
        self,
        *,
        engine: Engine | None,
        days: int,
        clock: Callable[[], datetime] = utcnow,
        sweeps: Mapping[str, Sweep] | None = None,
    ) -> None:
        self._engine, self._period, self._clock = engine, timedelta(days=days), clock
        self._sweeps = dict(sweeps or {})

    async def run(self) -> dict[str, int]:
        """One purge; how many items of each store went."""
        before = self._clock() - self._period
        engine = self._engine
        purged = (
            await run_blocking(engine, lambda: purge_database(engine, before=before))
            if engine is not None
            else {}
        )
        for name, sweep in self._sweeps.items():
            purged[name] = await sweep(before=before)
        if any(purged.values()):
            log.info("retention: purged what is older than %s: %s", before.isoformat(), purged)
        return purged

"""Jobs done once across processes: rows claimed by one worker at a time.

A job is enqueued in the same transaction as the change that calls for it (so a rolled-back
registration sends no SMS), claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
workers never take the same row; SQLite's single writer gives the same guarantee), and held
under a lease that the worker extends while it works. A worker killed mid-job stops extending
it; once it lapses another worker claims the job again, and the handler reads the job's
recorded ``outcome`` to skip what was already done::

    jobs = JobQueue(engine=engine)
    await jobs.submit("message.folio", {"folio": "2600000018"})
    job = await jobs.claim(worker="w1", kinds={"message.folio"})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.outbox import Job

LEASE = timedelta(seconds=30)
KEEP_DONE = timedelta(days=7)
PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


@dataclass(frozen=True)
class JobSpec:
    """A job to enqueue: its kind, its JSON payload, and an optional de-duplication key."""

    kind: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds: what to do and what was already recorded as done."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    outcome: str


def enqueue(session: Session, spec: JobSpec, *, now: datetime | None = None) -> None:
    """Add ``spec`` to the jobs inside the caller's transaction (a duplicate key is ignored)."""
    if spec.dedupe_key is not None:
        existing = select(Job.id).where(col(Job.dedupe_key) == spec.dedupe_key)
        if session.exec(existing).first() is not None:
            return
    start = (now or utcnow()) + timedelta(seconds=spec.delay_seconds)
    session.add(
        Job(
            kind=spec.kind,
            payload=json.dumps(spec.payload, ensure_ascii=False),
            dedupe_key=spec.dedupe_key,
            run_after=start,
        )
    )


class JobQueue:
    """Enqueue, claim, record, finish and list jobs."""

    def __init__(
        self, *, engine: Engine, lease: timedelta = LEASE, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self.lease = lease
        self._clock = clock
        self.on_submit: Callable[[], None] | None = None

    async def submit(self, spec: JobSpec) -> None:
        """Enqueue one job in its own transaction."""

        def work() -> None:
            try:
                with session_scope(self._engine) as session:
                    enqueue(session, spec, now=self._clock())
            except IntegrityError:  # the same key enqueued at the same moment elsewhere
                if spec.dedupe_key is None:
                    raise

        await run_blocking(self._engine, work)
        self.poke()

    def poke(self) -> None:
        """Wake this process's workers (others find the job at their next poll)."""
        if self.on_submit is not None:
            self.on_submit()

    async def claim(self, *, worker: str, kinds: Collection[str]) -> ClaimedJob | None:
        """The oldest due job of ``kinds`` (or a lapsed one of a dead worker), now ours."""
        now = self._clock()

        def work() -> ClaimedJob | None:
            with session_scope(self._engine) as session:
                due = (col(Job.status) == PENDING) & (col(Job.run_after) <= now)
                lapsed = (col(Job.status) == RUNNING) & (col(Job.claimed_until) < now)
                statement = (
                    select(Job)
                    .where(col(Job.kind).in_(list(kinds)), or_(due, lapsed))
                    .order_by(col(Job.run_after), col(Job.id))
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                job = session.exec(statement).first()
                if job is None:
                    return None
                job.status, job.claimed_by = RUNNING, worker
                job.claimed_until, job.updated_at = now + self.lease, now
                job.attempts += 1
                session.add(job)
                assert job.id is not None
                return ClaimedJob(
                    id=job.id,
                    kind=job.kind,
                    payload=json.loads(job.payload),
                    attempts=job.attempts,
                    max_attempts=job.max_attempts,
                    outcome=job.outcome,
                )

        return await run_blocking(self._engine, work)

    async def _set(self, job_id: int, worker: str | None, **values: object) -> bool:
        """Update a job we still hold (``worker``) or any job (``None``); True when it was."""

        def work() -> bool:
            statement = update(Job).where(col(Job.id) == job_id)
            if worker is not None:
                statement = statement.where(
                    col(Job.claimed_by) == worker, col(Job.status) == RUNNING
                )
            with self._engine.begin() as connection:
                result = connection.execute(statement.values(**values, updated_at=self._clock()))
                return bool(result.rowcount)

        return await run_blocking(self._engine, work)

    async def extend(self, job_id: int, *, worker: str) -> bool:
        """Keep holding a job a while longer; False when it was taken from us."""
        return await self._set(job_id, worker, claimed_until=self._clock() + self.lease)

    async def record(self, job_id: int, *, worker: str, outcome: str) -> bool:
        """Write what the job achieved so far, before it is acknowledged."""
        return await self._set(job_id, worker, outcome=outcome[:2000])

    async def done(self, job_id: int, *, worker: str) -> bool:
        """Acknowledge a finished job."""
        return await self._set(job_id, worker, status=DONE, claimed_until=None)

    async def retry_later(
        self, job_id: int, *, worker: str, error: str, delay: timedelta, give_up: bool
    ) -> bool:
        """A failed attempt: pending again after ``delay``, or ``failed`` for good."""
        values: dict[str, object] = {"last_error": error[:2000], "claimed_until": None}
        if give_up:
            values["status"] = FAILED
        else:
            values.update(status=PENDING, run_after=self._clock() + delay)
        return await self._set(job_id, worker, **values)

    async def requeue(self, job_id: int) -> bool:
        """Try a failed job again now (``suac jobs retry``)."""

        def work() -> bool:
            with self._engine.begin() as connection:
                result = connection.execute(
                    update(Job)
                    .where(col(Job.id) == job_id, col(Job.status) == FAILED)
                    .values(status=PENDING, attempts=0, run_after=self._clock(), last_error="")
                )
                return bool(result.rowcount)

        done = await run_blocking(self._engine, work)
        self.poke()
        return done

    async def list(self, *, statuses: Collection[str] = (), limit: int = 200) -> list[Job]:
        """Jobs, newest first, optionally of some statuses only."""

        def work() -> list[Job]:
            with session_scope(self._engine, readonly=True) as session:
                statement = select(Job).order_by(col(Job.id).desc()).limit(limit)
                if statuses:
                    statement = statement.where(col(Job.status).in_(list(statuses)))
                return list(session.exec(statement))

        return await run_blocking(self._engine, work)

    async def purge(self, *, older_than: timedelta = KEEP_DONE) -> int:
        """Delete jobs done more than ``older_than`` ago (failed ones are kept); how many."""
        before = self._clock() - older_than

        def work() -> int:
            with self._engine.begin() as connection:
                result = connection.execute(
                    delete(Job).where(col(Job.status) == DONE, col(Job.updated_at) < before)
                )
                return int(result.rowcount)

        return await run_blocking(self._engine, work)

    async def backlog(self) -> int:
        """How many jobs are due and not yet taken."""

        def work() -> int:
            from sqlmodel import func

            with session_scope(self._engine, readonly=True) as session:
                statement = select(func.count()).select_from(Job).where(
                    col(Job.status) == PENDING, col(Job.run_after) <= self._clock()
                )
                return int(session.exec(statement).one())

        return await run_blocking(self._engine, work)

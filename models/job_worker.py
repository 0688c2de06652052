"""The worker loop: claims jobs, runs their handlers, acknowledges, retries, gives up.

A handler is ``async def handler(job: ClaimedJob, progress: JobProgress) -> None``. It records
what it achieved (``await progress.record("SM…")``) before returning, and checks
``job.outcome`` first, so a job taken over from a worker that died is never done twice. An
exception means "try again later" (exponential back-off, up to the job's attempts), a
:class:`PermanentJobError` means "this can never succeed" (kept as failed at once)::

    worker = JobWorker(queue=jobs, handlers={"message.folio": send_folio}, name="w1")
    await worker.start()
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta

from models.cancellation import wait_at_most
from models.jobs import ClaimedJob, JobQueue
from models.telemetry import JOB_FAILURES

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 600.0


class PermanentJobError(Exception):
    """A job that can never succeed (its folio does not exist, its number cannot receive)."""


class JobProgress:
    """What a running handler may tell the queue."""

    def __init__(self, *, queue: JobQueue, job: ClaimedJob, worker: str) -> None:
        self._queue, self._job, self._worker = queue, job, worker

    async def record(self, outcome: str) -> None:
        """Write what was done (before the job is acknowledged); refused if the job was lost."""
        if not await self._queue.record(self._job.id, worker=self._worker, outcome=outcome):
            raise RuntimeError(f"job {self._job.id} is no longer held by {self._worker}")


Handler = Callable[[ClaimedJob, JobProgress], Awaitable[None]]


def worker_name(role: str = "worker") -> str:
    """A name unique to this process: host, pid and role."""
    return f"{socket.gethostname()}:{os.getpid()}:{role}"


def retry_delay(attempts: int) -> timedelta:
    """Back-off before attempt ``attempts + 1``: 2 s, 4 s, 8 s … at most 10 minutes."""
    return timedelta(seconds=min(MAX_DELAY_SECONDS, 2.0**attempts))


class JobWorker:
    """Runs the jobs of the kinds it has handlers for, ``concurrency`` at a time."""

    def __init__(
        self,
        *,
        queue: JobQueue,
        handlers: dict[str, Handler],
        name: str,
        poll_seconds: float = 1.0,
        concurrency: int = 4,
    ) -> None:
        self._queue, self._handlers, self.name = queue, handlers, name
        self._poll, self._slots = poll_seconds, asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """A job was submitted in this process: look now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        self._queue.on_submit = self.wake
        self._task = asyncio.create_task(self._run(), name=f"jobs:{self.name}")

    async def stop(self) -> None:
        """Stop claiming; cancel what is running (its lease lapses and another worker resumes)."""
        tasks = [t for t in (self._task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                job = await self._queue.claim(worker=self.name, kinds=self._handlers)
            except Exception:
                log.exception("could not claim a job; trying again")
                job = None
            if job is None:
                self._slots.release()
                self._wake.clear()
                await wait_at_most(self._wake.wait(), self._poll)
                continue
            task = asyncio.create_task(self._execute(job), name=f"job:{job.id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def run_one(self, job: ClaimedJob) -> None:
        """Run one claimed job to its end (acknowledged, rescheduled or failed)."""
        await self._slots.acquire()
        await self._execute(job)

    async def _execute(self, job: ClaimedJob) -> None:
        keeper = asyncio.create_task(self._keep(job))
        try:
            await self._handlers[job.kind](
                job, JobProgress(queue=self._queue, job=job, worker=self.name)
            )
        except asyncio.CancelledError:
            raise
        except PermanentJobError as error:
            log.warning("job %s (%s) cannot succeed: %s", job.id, job.kind, error)
            await self._fail(job, str(error), give_up=True)
        except Exception as error:
            log.exception("job %s (%s) failed (attempt %d)", job.id, job.kind, job.attempts)
            reason = f"{type(error).__name__}: {error}"
            await self._fail(job, reason, give_up=job.attempts >= job.max_attempts)
        else:
            await self._queue.done(job.id, worker=self.name)
        finally:
            keeper.cancel()
            self._slots.release()

    async def _fail(self, job: ClaimedJob, reason: str, *, give_up: bool) -> None:
        JOB_FAILURES.labels(kind=job.kind, outcome="failed" if give_up else "retry").inc()
        await self._queue.retry_later(
            job.id, worker=self.name, error=reason, delay=retry_delay(job.attempts), give_up=give_up
        )

    async def _keep(self, job: ClaimedJob) -> None:
        """Extend the job's lease while its handler works."""
        interval = self._queue.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self._queue.extend(job.id, worker=self.name)
            except Exception:
                log.exception("could not extend the lease of job %s", job.id)

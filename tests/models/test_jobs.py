"""Jobs done once: claimed by one worker, reclaimed from a dead one, retried, kept when failing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from models.db import make_engine, upgrade
from models.job_worker import JobProgress, JobWorker, PermanentJobError
from models.jobs import DONE, FAILED, PENDING, ClaimedJob, JobQueue, JobSpec


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_a_job_is_claimed_by_one_worker_only(engine: Engine) -> None:
    jobs = JobQueue(engine=engine)
    await jobs.submit(JobSpec("demo", {"n": 1}))
    first = await jobs.claim(worker="w1", kinds={"demo"})
    second = await jobs.claim(worker="w2", kinds={"demo"})
    assert first is not None and first.payload == {"n": 1} and second is None
    assert await jobs.claim(worker="w2", kinds={"other"}) is None


async def test_a_duplicate_key_is_enqueued_once(engine: Engine) -> None:
    jobs = JobQueue(engine=engine)
    for _ in range(3):
        await jobs.submit(JobSpec("demo", {}, dedupe_key="sms:26000001"))
    assert len(await jobs.list()) == 1


async def test_a_dead_workers_job_is_taken_again_with_its_recorded_outcome(engine: Engine) -> None:
    clock = Clock()
    jobs = JobQueue(engine=engine, clock=clock, lease=timedelta(seconds=30))
    await jobs.submit(JobSpec("demo", {}))
    taken = await jobs.claim(worker="dead", kinds={"demo"})
    assert taken is not None
    assert await jobs.record(taken.id, worker="dead", outcome='{"sid": "SM1"}')
    assert await jobs.claim(worker="alive", kinds={"demo"}) is None  # lease still running
    clock.now += timedelta(seconds=31)
    again = await jobs.claim(worker="alive", kinds={"demo"})
    assert again is not None and again.id == taken.id and again.outcome == '{"sid": "SM1"}'
    assert again.attempts == 2
    assert not await jobs.done(taken.id, worker="dead")  # the dead worker lost it
    assert await jobs.done(taken.id, worker="alive")


async def test_a_failing_job_is_retried_with_back_off_then_kept_as_failed(engine: Engine) -> None:
    clock = Clock()
    jobs = JobQueue(engine=engine, clock=clock)
    calls: list[int] = []

    async def flaky(job: ClaimedJob, progress: JobProgress) -> None:
        calls.append(job.attempts)
        raise ConnectionError("Twilio no contesta")

    worker = JobWorker(queue=jobs, handlers={"sms": flaky}, name="w1")
    await jobs.submit(JobSpec("sms", {"folio": "2600000018"}))
    for attempt in range(1, 7):
        job = await jobs.claim(worker="w1", kinds={"sms"})
        assert job is not None and job.attempts == attempt
        await worker.run_one(job)
        assert await jobs.claim(worker="w1", kinds={"sms"}) is None  # not before its back-off
        clock.now += timedelta(seconds=2**attempt + 1)
    (kept,) = await jobs.list()
    assert kept.status == FAILED and "Twilio no contesta" in kept.last_error
    assert calls == [1, 2, 3, 4, 5, 6]
    assert await jobs.requeue(kept.id)
    (again,) = await jobs.list(statuses=[PENDING])
    assert again.attempts == 0 and again.last_error == ""


async def test_a_permanent_failure_is_kept_at_once(engine: Engine) -> None:
    jobs = JobQueue(engine=engine)

    async def impossible(job: ClaimedJob, progress: JobProgress) -> None:
        raise PermanentJobError("El folio no existe.")

    worker = JobWorker(queue=jobs, handlers={"sms": impossible}, name="w1")
    await jobs.submit(JobSpec("sms", {}))
    job = await jobs.claim(worker="w1", kinds={"sms"})
    assert job is not None
    await worker.run_one(job)
    (kept,) = await jobs.list()
    assert kept.status == FAILED and kept.last_error == "El folio no existe."


async def test_the_worker_loop_runs_submitted_jobs(engine: Engine) -> None:
    jobs = JobQueue(engine=engine)
    done: list[dict] = []

    async def handler(job: ClaimedJob, progress: JobProgress) -> None:
        await progress.record(json.dumps({"ok": True}))
        done.append(job.payload)

    worker = JobWorker(queue=jobs, handlers={"demo": handler}, name="w1", poll_seconds=5)
    await worker.start()
    try:
        for n in range(5):
            await jobs.submit(JobSpec("demo", {"n": n}))
        for _ in range(200):
            if len(done) == 5:
                break
            await asyncio.sleep(0.01)
    finally:
        await worker.stop()
    assert sorted(d["n"] for d in done) == [0, 1, 2, 3, 4]
    assert {j.status for j in await jobs.list()} == {DONE}
    assert {j.outcome for j in await jobs.list()} == {'{"ok": true}'}


@pytest.mark.postgres
async def test_concurrent_claims_on_postgres_never_share_a_job(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    jobs = JobQueue(engine=engine)
    for n in range(40):
        await jobs.submit(JobSpec("demo", {"n": n}))

    async def drain(name: str) -> list[int]:
        taken = []
        while (job := await jobs.claim(worker=name, kinds={"demo"})) is not None:
            taken.append(job.payload["n"])
        return taken

    results = await asyncio.gather(*(drain(f"w{i}") for i in range(4)))
    everything = [n for taken in results for n in taken]
    assert sorted(everything) == list(range(40))
    engine.dispose()


async def test_done_jobs_are_purged_after_a_week_failed_ones_kept(engine: Engine) -> None:
    clock = Clock()
    jobs = JobQueue(engine=engine, clock=clock)
    for kind in ("done", "failed"):
        await jobs.submit(JobSpec(kind, {}))
        job = await jobs.claim(worker="w1", kinds={kind})
        assert job is not None
        if kind == "done":
            await jobs.done(job.id, worker="w1")
        else:
            await jobs.retry_later(job.id, worker="w1", error="x", delay=timedelta(), give_up=True)
    clock.now += timedelta(days=6)
    assert await jobs.purge() == 0
    clock.now += timedelta(days=2)
    assert await jobs.purge() == 1
    assert [j.status for j in await jobs.list()] == [FAILED]

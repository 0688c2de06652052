"""The per-number folio look-up allowance holds across processes on every backend: 50
concurrent look-ups from one number, spread over five processes, get exactly the allowance
(on PostgreSQL without Redis they got 30 against 5: each process counted in its own memory)."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid

import pytest

from ivr.flow.limits import lookup_limiter
from models.config import Settings
from models.db import make_engine, upgrade

PROCESSES, EACH, PER_HOUR = 5, 10, 3


def _look_up(settings_json: str, number: str, start: object) -> int:
    """One process's burst: ``EACH`` concurrent look-ups once every process is ready."""
    settings = Settings.model_validate_json(settings_json)
    limiter = lookup_limiter(settings, engine=make_engine(settings.resolved_database_url))

    async def burst() -> int:
        calls = (f"CA{uuid.uuid4().hex}" for _ in range(EACH))
        return sum(await asyncio.gather(*(limiter.allow(number, call_id=c) for c in calls)))

    start.wait()  # type: ignore[attr-defined]
    return asyncio.run(burst())


def allowed_in_processes(settings: Settings, number: str = "+525512345678") -> int:
    """How many of ``PROCESSES`` × ``EACH`` simultaneous look-ups from ``number`` passed."""
    settings = settings.model_copy(
        update={"ivr": settings.ivr.model_copy(update={"status_queries_per_hour": PER_HOUR})}
    )
    upgrade(make_engine(settings.resolved_database_url))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(PROCESSES) as pool:
            pending = [
                pool.apply_async(_look_up, (settings.model_dump_json(), number, start))
                for _ in range(PROCESSES)
            ]
            start.set()
            return sum(result.get(timeout=120) for result in pending)


@pytest.mark.postgres
def test_fifty_lookups_in_five_processes_on_postgresql(pg_settings: Settings) -> None:
    assert allowed_in_processes(pg_settings) == PER_HOUR


def test_fifty_lookups_in_five_processes_on_sqlite(settings: Settings) -> None:
    assert allowed_in_processes(settings) == PER_HOUR


@pytest.mark.redis
def test_fifty_lookups_in_five_processes_through_redis(settings: Settings, redis_url: str) -> None:
    number = f"+52{uuid.uuid4().int % 10**10:010d}"  # Redis keeps an hour of counts
    assert allowed_in_processes(settings.model_copy(update={"redis_url": redis_url}), number) == (
        PER_HOUR
    )

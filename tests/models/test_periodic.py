"""Answered requests close by themselves once the citizen's window has lapsed, swept by a
periodic task that runs once per deployment (whoever holds its lease)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.catalogue import CatalogueEntry
from models.notifier import Notifier
from models.periodic import Leases, PeriodicTask
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, Status


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 5, 16, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def answered(engine: Engine, calendar: BusinessCalendar, bus: InProcessBus):
    clock = Clock()
    service = RequestService(
        engine=engine, calendar=calendar, notifier=Notifier(engine=engine, bus=bus), clock=clock
    )
    with Session(engine) as session:
        entry = session.exec(
            select(CatalogueEntry).where(CatalogueEntry.tema == "ALUMBRADO")
        ).first()
    request = await service.register(
        RequestCreate(catalogue_code=entry.code, channel=Channel.WEB, alcaldia="Tlalpan"),
        actor="web",
    )
    await service.answer(
        request.folio,
        text="Se cambió la lámpara.",
        responsible_person="Ing. Ana Ruiz",
        unit_code=request.unit_code,
        actor="tlalpan:ana",
    )
    return service, clock, request.folio


def sweeper(service, engine: Engine, *, holder: str = "w1", interval: float = 60) -> PeriodicTask:
    return PeriodicTask(
        name="confirmation-sweep",
        interval=interval,
        run=service.close_unconfirmed,
        leases=Leases(engine=engine),
        holder=holder,
    )


async def test_one_sweep_closes_only_lapsed_windows(answered) -> None:
    service, clock, folio = answered
    clock.now += timedelta(hours=71)
    assert await service.close_unconfirmed() == []
    clock.now += timedelta(hours=2)
    assert await service.close_unconfirmed() == [folio]
    assert (await service.get(folio)).status == Status.CLOSED
    assert await service.close_unconfirmed() == []


async def test_background_task_runs_until_stopped(answered, engine: Engine) -> None:
    service, clock, folio = answered
    clock.now += timedelta(hours=73)
    task = sweeper(service, engine, interval=0.01)
    await task.start()
    for _ in range(200):
        if (await service.get(folio)).status == Status.CLOSED:
            break
        await asyncio.sleep(0.01)
    await task.stop()
    assert (await service.get(folio)).status == Status.CLOSED


async def test_only_the_lease_holder_sweeps_and_another_takes_over(answered, engine) -> None:
    service, _clock, _folio = answered
    first, second = sweeper(service, engine, holder="w1"), sweeper(service, engine, holder="w2")
    assert await first.tick() is True
    assert await second.tick() is False  # w1 holds the lease
    await first.stop()  # hands the lease over
    assert await second.tick() is True
    assert await first.tick() is False


async def test_a_lapsed_lease_passes_to_another_worker(engine: Engine) -> None:
    now = datetime(2026, 10, 5, 16, tzinfo=UTC)
    leases = Leases(engine=engine, clock=lambda: now)
    assert await leases.acquire("x", holder="dead", ttl=timedelta(seconds=30))
    assert not await leases.acquire("x", holder="alive", ttl=timedelta(seconds=30))
    now += timedelta(seconds=31)
    assert await leases.acquire("x", holder="alive", ttl=timedelta(seconds=30))


class FailingService:
    calls = 0

    async def close_unconfirmed(self) -> list[str]:
        self.calls += 1
        raise RuntimeError("database away")


async def test_a_failed_sweep_is_logged_and_the_task_goes_on(caplog, engine: Engine) -> None:
    service = FailingService()
    task = sweeper(service, engine, interval=0.01)
    with caplog.at_level(logging.ERROR):
        await task.start()
        await asyncio.sleep(0.1)
        await task.stop()
    assert service.calls >= 2


async def test_a_server_away_is_one_warning_per_turn_without_a_traceback(
    caplog, engine: Engine
) -> None:
    async def trim() -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6399.")

    task = PeriodicTask(
        name="retention", interval=60, run=trim, leases=Leases(engine=engine), holder="worker-1"
    )
    with caplog.at_level(logging.WARNING):
        assert await task.tick()
    [record] = [r for r in caplog.records if r.name == "models.periodic"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "retention could not run" in record.getMessage()

"""Answered requests close by themselves once the citizen's window has lapsed."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.catalogue import CatalogueEntry
from models.confirmation_sweeper import ConfirmationSweeper
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
    service = RequestService(engine=engine, calendar=calendar, bus=bus, clock=clock)
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


async def test_one_sweep_closes_only_lapsed_windows(answered) -> None:
    service, clock, folio = answered
    sweeper = ConfirmationSweeper(requests=service, interval=60)
    clock.now += timedelta(hours=71)
    assert await sweeper.sweep() == []
    clock.now += timedelta(hours=2)
    assert await sweeper.sweep() == [folio]
    assert (await service.get(folio)).status == Status.CLOSED
    assert await sweeper.sweep() == []


async def test_background_task_runs_until_stopped(answered) -> None:
    service, clock, folio = answered
    clock.now += timedelta(hours=73)
    sweeper = ConfirmationSweeper(requests=service, interval=0.01)
    sweeper.start()
    for _ in range(200):
        if (await service.get(folio)).status == Status.CLOSED:
            break
        await asyncio.sleep(0.01)
    await sweeper.stop()
    assert (await service.get(folio)).status == Status.CLOSED


class FailingService:
    calls = 0

    async def close_unconfirmed(self) -> list[str]:
        self.calls += 1
        raise RuntimeError("database away")


async def test_a_failed_sweep_is_logged_and_the_task_goes_on(caplog) -> None:
    service = FailingService()
    sweeper = ConfirmationSweeper(requests=service, interval=0.01)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        sweeper.start()
        await asyncio.sleep(0.1)
        await sweeper.stop()
    assert service.calls >= 2
    assert "confirmation sweep failed" in caplog.text

"""The scale-out path for real: requests on PostgreSQL, events through Redis."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from models.catalogue import CatalogueEntry
from models.config import Settings
from models.db import make_engine, upgrade
from models.events import RequestRegistered
from models.requests import Channel, RequestCreate, Status
from suac.container import build_container

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_register_and_answer_on_postgres_with_redis_bus(
    pg_settings: Settings, redis_url: str
) -> None:
    upgrade(make_engine(pg_settings.resolved_database_url))
    settings = pg_settings.model_copy(update={"redis_url": redis_url})
    container = await build_container(settings)
    try:
        with Session(container.engine) as session:
            entry = session.exec(
                select(CatalogueEntry).where(CatalogueEntry.tema == "FALTA DE AGUA")
            ).first()
        async with container.bus.subscribe() as events:
            created = await asyncio.gather(
                *(
                    container.requests.register(
                        RequestCreate(
                            catalogue_code=entry.code, channel=Channel.SMS, alcaldia="Iztapalapa"
                        ),
                        actor="sms",
                    )
                    for _ in range(16)
                )
            )
            first = await asyncio.wait_for(anext(events), timeout=5)
        assert isinstance(first, RequestRegistered)
        folios = {r.folio for r in created}
        assert len(folios) == 16
        answered = await container.requests.answer(
            created[0].folio,
            text="Se envió una pipa.",
            responsible_person="Ana Ruiz",
            unit_code=created[0].unit_code,
            actor="sacmex:ana",
        )
        assert answered.status == Status.ANSWERED
        assert [h.to_value for h in await container.requests.history(answered.folio)][-1] == (
            "answered"
        )
    finally:
        await container.close()

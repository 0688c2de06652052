"""A row another PostgreSQL session holds is waited for within the busy timeout, then
``DatabaseBusy`` (the IVR's apology, a 503), as on SQLite: never an unbounded wait."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.config import Settings
from models.db import make_engine, upgrade
from models.errors import DatabaseBusy
from models.notifier import Notifier
from models.request_service import RequestService
from models.requests import Channel, RequestCreate
from suac.container import prepare_database

WAIT = 0.5


@pytest.mark.postgres
async def test_a_row_held_elsewhere_ends_in_database_busy(
    pg_settings: Settings, postgres_url: str
) -> None:
    holder = make_engine(postgres_url)
    upgrade(holder)  # migrations themselves never time out
    engine = prepare_database(
        pg_settings.model_copy(update={"database_busy_timeout_seconds": WAIT})
    )
    bus = InProcessBus()
    service = RequestService(
        engine=engine,
        calendar=BusinessCalendar.default(),
        notifier=Notifier(engine=engine, bus=bus),
    )
    try:
        data = RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan")
        request = await service.register(data, actor="agente:ana")
        with holder.connect() as other:
            other.execute(
                text("SELECT id FROM service_request WHERE folio = :folio FOR UPDATE"),
                {"folio": request.folio},
            )
            with pytest.raises(DatabaseBusy) as busy:
                await service.start_progress(request.folio, actor="sacmex:luis")
            assert busy.value.headers == {"Retry-After": "1"}
            other.rollback()
        moved = await service.start_progress(request.folio, actor="sacmex:luis")  # free again
        assert moved.status == "in_progress"
    finally:
        await bus.close()
        holder.dispose()
        engine.dispose()

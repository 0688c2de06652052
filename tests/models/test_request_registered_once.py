"""A call registers the same request once, however often its turn is retried."""

from __future__ import annotations

from sqlmodel import func, select

from models.db import session_scope
from models.requests import Channel, RequestCreate, ServiceRequest


def _lack_of_water(call_id: str | None, description: str = "no hay agua desde el lunes"):
    return RequestCreate(
        catalogue_code="AGU-001",
        channel=Channel.TWILIO_CALL,
        alcaldia="Tlalpan",
        description=description,
        call_id=call_id,
    )


def _count(engine) -> int:  # noqa: ANN001
    with session_scope(engine, readonly=True) as session:
        return session.exec(select(func.count()).select_from(ServiceRequest)).one()


async def test_a_retried_registration_of_a_call_reads_back_its_folio(service, engine):
    first = await service.register(_lack_of_water("CA1"), actor="ivr:twilio")
    again = await service.register(_lack_of_water("CA1"), actor="ivr:twilio")
    assert again.folio == first.folio and _count(engine) == 1


async def test_other_calls_and_other_requests_of_a_call_are_registered(service, engine):
    await service.register(_lack_of_water("CA1"), actor="ivr:twilio")
    await service.register(_lack_of_water("CA2"), actor="ivr:twilio")
    await service.register(_lack_of_water("CA1", "otra fuga"), actor="ivr:twilio")
    await service.register(_lack_of_water(None), actor="agente:prueba")
    await service.register(_lack_of_water(None), actor="agente:prueba")
    assert _count(engine) == 5

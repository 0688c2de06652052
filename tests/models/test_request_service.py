"""Registration, routing, lifecycle and history through the request service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.catalogue import ALCALDIA_ROUTE, CatalogueEntry
from models.errors import (
    ConfirmationWindowClosed,
    FolioNotFound,
    IllegalTransition,
    InvalidFolio,
    MissingAnswerData,
    UnknownAuthority,
    UnknownCatalogueEntry,
)
from models.events import RequestRegistered, RequestStatusChanged
from models.folio import make_folio
from models.notifier import Notifier
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, RoadClass, ServiceRequest, Status


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 10, 5, 16, 0, tzinfo=UTC))  # Monday 10:00 in Mexico City


@pytest.fixture
def timed(engine: Engine, calendar: BusinessCalendar, bus: InProcessBus, clock: Clock):
    return RequestService(
        engine=engine, calendar=calendar, notifier=Notifier(engine=engine, bus=bus), clock=clock
    )


def entry_where(engine: Engine, *conditions) -> CatalogueEntry:
    with Session(engine) as session:
        found = session.exec(select(CatalogueEntry).where(*conditions)).first()
    assert found is not None, "the shipped catalogue lacks an entry this test needs"
    return found


@pytest.fixture
def pothole(engine: Engine) -> CatalogueEntry:
    return entry_where(
        engine,
        CatalogueEntry.tema == "BACHEO",
        CatalogueEntry.authority == ALCALDIA_ROUTE,
        CatalogueEntry.primary_road_authority.is_not(None),
    )


@pytest.fixture
def water(engine: Engine) -> CatalogueEntry:
    return entry_where(
        engine, CatalogueEntry.tema == "FUGA DE AGUA", CatalogueEntry.authority != ALCALDIA_ROUTE
    )


def create(entry: CatalogueEntry, **place) -> RequestCreate:
    return RequestCreate(
        catalogue_code=entry.code,
        channel=Channel.AGENT,
        description="Bache profundo frente al número 20",
        citizen_name="María López",
        citizen_phone="+525512345678",
        **place,
    )


async def test_register_routes_to_alcaldia_and_issues_folio(
    timed: RequestService, pothole: CatalogueEntry, bus: InProcessBus
) -> None:
    async with bus.subscribe() as events:
        request = await timed.register(create(pothole, alcaldia="Iztapalapa"), actor="agente:ana")
        event = await anext(events)
    assert request.folio == make_folio(2026, 1)
    assert request.status == Status.ASSIGNED
    assert (request.authority_code, request.unit_code) == ("ALC-IZP", pothole.unit)
    assert request.kind == pothole.kind
    local_due = request.due_at.astimezone(timed.calendar.zone)
    assert (local_due.year, local_due.month, local_due.day) == (2026, 10, 12)
    assert isinstance(event, RequestRegistered) and event.folio == request.folio
    history = await timed.history(request.folio)
    assert [(h.field, h.to_value) for h in history] == [
        ("status", "received"),
        ("authority", f"ALC-IZP/{pothole.unit}"),
        ("status", "assigned"),
    ]


async def test_primary_road_goes_to_public_works(
    timed: RequestService, pothole: CatalogueEntry
) -> None:
    request = await timed.register(
        create(pothole, alcaldia="Coyoacán", road_class=RoadClass.PRIMARY), actor="agente:ana"
    )
    assert request.authority_code == pothole.primary_road_authority


async def test_fixed_dependencia_ignores_alcaldia(timed: RequestService, water) -> None:
    request = await timed.register(create(water, alcaldia="Tlalpan"), actor="ivr")
    assert request.authority_code == water.authority


async def test_without_place_it_waits_for_assignment(
    timed: RequestService, pothole: CatalogueEntry
) -> None:
    request = await timed.register(create(pothole), actor="ivr")
    assert request.status == Status.RECEIVED and request.authority_code is None
    assigned = await timed.assign(
        request.folio, authority_code="ALC-GAM", unit_code=pothole.unit, actor="agente:ana"
    )
    assert assigned.status == Status.ASSIGNED and assigned.authority_code == "ALC-GAM"


async def test_full_lifecycle_with_citizen_confirmation(
    timed: RequestService, pothole: CatalogueEntry, clock: Clock
) -> None:
    folio = (await timed.register(create(pothole, alcaldia="Tlalpan"), actor="ivr")).folio
    await timed.start_progress(folio, actor="tlalpan:juan")
    reassigned = await timed.assign(
        folio,
        authority_code="SOBSE",
        unit_code=pothole.primary_road_unit,
        actor="sup:eva",
        note="Es vía primaria",
    )
    assert reassigned.status == Status.REASSIGNED
    with pytest.raises(MissingAnswerData):
        await timed.answer(
            folio, text="Listo", responsible_person=" ", unit_code="DGOIV", actor="sobse:luis"
        )
    clock.now += timedelta(days=2)
    answered = await timed.answer(
        folio,
        text="Se reparó el bache.",
        responsible_person="Ing. Luis Pérez",
        unit_code=pothole.primary_road_unit,
        actor="sobse:luis",
    )
    assert answered.status == Status.ANSWERED
    assert timed.deadline_state(answered) == "answered_on_time"
    reopened = await timed.confirm(folio, solved=False, citizen_words="Sigue el hoyo")
    assert reopened.status == Status.IN_PROGRESS and reopened.answered_at is None
    await timed.answer(
        folio,
        text="Se volvió a reparar.",
        responsible_person="Ing. Luis Pérez",
        unit_code=pothole.primary_road_unit,
        actor="sobse:luis",
    )
    closed = await timed.confirm(folio, solved=True)
    assert closed.status == Status.CLOSED and closed.closed_at is not None
    with pytest.raises(IllegalTransition):
        await timed.start_progress(folio, actor="x")
    notes = [h.note for h in await timed.history(folio)]
    assert "Sigue el hoyo" in notes and "Es vía primaria" in notes


async def test_unconfirmed_answers_close_after_72_hours(
    timed: RequestService, water, clock: Clock
) -> None:
    folio = (await timed.register(create(water, alcaldia="Tlalpan"), actor="ivr")).folio
    await timed.answer(
        folio,
        text="Se reparó la fuga.",
        responsible_person="Ana Ruiz",
        unit_code=water.unit,
        actor="sacmex:ana",
    )
    clock.now += timedelta(hours=71)
    assert await timed.close_unconfirmed() == []
    clock.now += timedelta(hours=2)
    with pytest.raises(ConfirmationWindowClosed):
        await timed.confirm(folio, solved=False)
    assert await timed.close_unconfirmed() == [folio]
    assert (await timed.get(folio)).status == Status.CLOSED


async def test_reject_requires_reason(timed: RequestService, water, bus: InProcessBus) -> None:
    folio = (await timed.register(create(water, alcaldia="Tlalpan"), actor="ivr")).folio
    with pytest.raises(MissingAnswerData):
        await timed.reject(folio, reason="  ", actor="sacmex:ana")
    async with bus.subscribe() as events:
        rejected = await timed.reject(folio, reason="Duplicada", actor="sacmex:ana")
        event = await anext(events)
    assert rejected.status == Status.REJECTED and rejected.rejection_reason == "Duplicada"
    assert isinstance(event, RequestStatusChanged) and event.to_status == "rejected"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"catalogue_code": "NOPE-999"}, UnknownCatalogueEntry),
        ({"alcaldia": "Ecatepec"}, UnknownAuthority),
        ({"kind": "capricho"}, UnknownCatalogueEntry),
    ],
)
async def test_bad_registrations_write_nothing(
    timed: RequestService, engine: Engine, water, change, error
) -> None:
    data = create(water, alcaldia="Tlalpan").model_copy(update=change)
    with pytest.raises(error):
        await timed.register(data, actor="ivr")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ServiceRequest)).one() == 0
    ok = await timed.register(create(water, alcaldia="Tlalpan"), actor="ivr")
    assert ok.folio == make_folio(2026, 1), "a refused registration must not consume a folio"


async def test_lookup_errors(timed: RequestService) -> None:
    with pytest.raises(InvalidFolio):
        await timed.get("2600012348")
    with pytest.raises(FolioNotFound):
        await timed.get(make_folio(2026, 99))

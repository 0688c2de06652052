"""The authorities' inbox: order, filters, pages and scope; unit assignment, hand-over and
bulk answers through the request service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.errors import FolioNotFound, IllegalTransition, MissingAnswerData, UnknownAuthority
from models.events import RequestStatusChanged
from models.folio import make_folio
from models.inbox import InboxFilters, InboxScope, inbox_categories, inbox_page
from models.notifier import Notifier
from models.request_service import Outcome, RequestService
from models.requests import Channel, RequestCreate, RequestHistory, ServiceRequest, Status

SACMEX = InboxScope("SACMEX")
SOBSE = InboxScope("SOBSE")


class Clock:
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


async def water(service: RequestService, alcaldia: str = "Tlalpan", code: str = "AGU-001") -> str:
    """A request for SACMEX (AGU-001 → unit DGAP, AGU-002 → unit DEO)."""
    request = await service.register(
        RequestCreate(
            catalogue_code=code,
            channel=Channel.AGENT,
            alcaldia=alcaldia,
            citizen_phone="+525512345678",
        ),
        actor="agente:ana",
    )
    assert request.authority_code == "SACMEX"
    return request.folio


ANY = InboxFilters()


def folios(engine: Engine, scope: InboxScope, filters: InboxFilters = ANY) -> list[str]:
    with Session(engine) as session:
        return [row.request.folio for row in inbox_page(session, scope, filters).rows]


def _history(engine: Engine, folio: str) -> list[RequestHistory]:
    with Session(engine) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        lines = select(RequestHistory).where(RequestHistory.request_id == request.id)
        return list(session.exec(lines.order_by(col(RequestHistory.id))))


async def test_overdue_first_then_due_soon_then_by_due_date(
    timed: RequestService, engine: Engine, clock: Clock
) -> None:
    received = {}
    for days_ago in (1, 12, 0, 6, 3):
        clock.now = datetime(2026, 10, 19, 16, 0, tzinfo=UTC) - timedelta(days=days_ago)
        received[days_ago] = await water(timed)
    clock.now = datetime(2026, 10, 19, 16, 0, tzinfo=UTC)  # Monday
    ordered = folios(engine, SACMEX)
    assert ordered == [received[d] for d in (12, 6, 3, 1, 0)]
    states = [timed.deadline_state(await timed.get(folio)) for folio in ordered]
    assert states == ["overdue", "due_soon", "on_time", "on_time", "on_time"]


async def test_filters_pages_and_the_unit_bound_scope(
    timed: RequestService, engine: Engine
) -> None:
    tlalpan = await water(timed)
    coyoacan = await water(timed, "Coyoacán")
    operation = await water(timed, code="AGU-002")
    await timed.start_progress(coyoacan, actor="sacmex:ana")
    assert set(folios(engine, SACMEX)) == {tlalpan, coyoacan, operation}
    assert folios(engine, SACMEX, InboxFilters(alcaldia="Coyoacán")) == [coyoacan]
    assert folios(engine, SACMEX, InboxFilters(status=Status.IN_PROGRESS)) == [coyoacan]
    assert folios(engine, SACMEX, InboxFilters(catalogue_code="AGU-002")) == [operation]
    assert folios(engine, SACMEX, InboxFilters(unit_code="DEO")) == [operation]
    assert folios(engine, InboxScope("SACMEX", "DEO")) == [operation]
    assert folios(engine, InboxScope("SACMEX", "DEO"), InboxFilters(unit_code="DGAP")) == [
        operation
    ]
    assert folios(engine, SOBSE) == []
    with Session(engine) as session:
        first = inbox_page(session, SACMEX, InboxFilters(), page=1, page_size=2)
        second = inbox_page(session, SACMEX, InboxFilters(), page=2, page_size=2)
        beyond = inbox_page(session, SACMEX, InboxFilters(), page=9, page_size=2)
        categories = inbox_categories(session, SACMEX)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (3, 2, 2, 1)
    assert beyond.page == 2 and first.rows[0].category
    assert [code for code, _ in categories] == sorted(
        ["AGU-001", "AGU-002"], key=dict(categories).get
    )


async def test_answered_and_closed_requests_leave_the_open_inbox(
    timed: RequestService, engine: Engine
) -> None:
    folio = await water(timed)
    await timed.answer(
        folio, text="Listo.", responsible_person="Ana Ruiz", unit_code="DGAP", actor="s:ana"
    )
    assert folios(engine, SACMEX) == []
    assert folios(engine, SACMEX, InboxFilters(status=Status.ANSWERED)) == [folio]


async def test_another_authority_can_neither_read_nor_change(
    timed: RequestService, engine: Engine
) -> None:
    folio = await water(timed)
    before = len(_history(engine, folio))
    unit_bound = InboxScope("SACMEX", "DEO")
    attempts = [
        timed.get(folio, scope=SOBSE),
        timed.history(folio, scope=SOBSE),
        timed.start_progress(folio, actor="sobse:luis", scope=SOBSE),
        timed.reject(folio, reason="No nos toca", actor="sobse:luis", scope=SOBSE),
        timed.assign_unit(folio, unit_code="DGOIV", actor="sobse:luis", scope=SOBSE),
        timed.hand_over(
            folio, authority_code="SOBSE", unit_code="DGOIV", reason="x", actor="s", scope=SOBSE
        ),
        timed.answer(
            folio, text="x", responsible_person="y", unit_code="DGAP", actor="s", scope=SOBSE
        ),
        timed.start_progress(folio, actor="sacmex:deo", scope=unit_bound),
    ]
    for attempt in attempts:
        with pytest.raises(FolioNotFound, match="no existe en su bandeja"):
            await attempt
    assert len(_history(engine, folio)) == before
    assert (await timed.get(folio)).status == Status.ASSIGNED


async def test_unit_assignment_stays_within_the_authority(
    timed: RequestService, engine: Engine
) -> None:
    folio = await water(timed)
    moved = await timed.assign_unit(folio, unit_code="DEO", actor="sacmex:ana", scope=SACMEX)
    assert (moved.authority_code, moved.unit_code, moved.status) == (
        "SACMEX",
        "DEO",
        Status.REASSIGNED,
    )
    with pytest.raises(IllegalTransition, match="ya está asignada a esa unidad"):
        await timed.assign_unit(folio, unit_code="DEO", actor="sacmex:ana", scope=SACMEX)
    with pytest.raises(UnknownAuthority):
        await timed.assign_unit(folio, unit_code="DGOIV", actor="sacmex:ana", scope=SACMEX)
    assert [(h.field, h.to_value) for h in _history(engine, folio)][-2:] == [
        ("authority", "SACMEX/DEO"),
        ("status", "reassigned"),
    ]


async def test_hand_over_needs_a_reason_and_keeps_the_original_reception(
    timed: RequestService, engine: Engine, clock: Clock
) -> None:
    folio = await water(timed)
    received_at = (await timed.get(folio)).received_at
    clock.now += timedelta(days=3)
    with pytest.raises(MissingAnswerData):
        await timed.hand_over(
            folio, authority_code="SOBSE", unit_code="DGOIV", reason=" ", actor="s", scope=SACMEX
        )
    with pytest.raises(IllegalTransition, match="ya es de esa dependencia"):
        await timed.hand_over(
            folio, authority_code="SACMEX", unit_code="DEO", reason="x", actor="s", scope=SACMEX
        )
    handed = await timed.hand_over(
        folio,
        authority_code="SOBSE",
        unit_code="DGOIV",
        reason="Es obra de la vía primaria",
        actor="sacmex:ana",
        scope=SACMEX,
    )
    assert (handed.authority_code, handed.status) == ("SOBSE", Status.REASSIGNED)
    assert handed.received_at == received_at
    assert handed.due_at == timed.calendar.due_at(received_at, "SOBSE")
    assert _history(engine, folio)[-1].note == "Es obra de la vía primaria"
    assert folios(engine, SACMEX) == [] and folios(engine, SOBSE) == [folio]


async def test_answer_names_a_unit_of_the_authority(timed: RequestService) -> None:
    folio = await water(timed)
    with pytest.raises(UnknownAuthority, match="no es de SACMEX"):
        await timed.answer(
            folio, text="Listo", responsible_person="Ana", unit_code="DGOIV", actor="s"
        )
    assert (await timed.get(folio)).status == Status.ASSIGNED


async def test_bulk_answer_reports_each_folio(
    timed: RequestService, engine: Engine, bus: InProcessBus
) -> None:
    first, second, answered = [await water(timed) for _ in range(3)]
    await timed.answer(
        answered, text="Antes.", responsible_person="Ana", unit_code="DGAP", actor="s:ana"
    )
    foreign = await timed.register(
        RequestCreate(catalogue_code="ALU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:ana",
    )
    with pytest.raises(MissingAnswerData):
        await timed.answer_many(
            [first], text=" ", responsible_person="Ana", unit_code="DGAP", actor="s:ana"
        )
    missing = make_folio(2026, 999)
    async with bus.subscribe() as events:
        outcomes = await timed.answer_many(
            [first, answered, foreign.folio, missing, "26-0000001-0", second, first],
            text="La cuadrilla reparó la red de la colonia.",
            responsible_person="Ing. Ana Ruiz",
            unit_code="DGAP",
            actor="sacmex:ana",
            scope=SACMEX,
        )
        changed = [await anext(events) for _ in range(2)]
    assert [o.folio for o in outcomes] == [
        first,
        answered,
        foreign.folio,
        missing,
        "26-0000001-0",
        second,
    ]
    assert outcomes[0] == Outcome(first) and outcomes[5] == Outcome(second)
    assert "«atendida» a «atendida»" in (outcomes[1].refusal or "")
    assert "no existe en su bandeja" in (outcomes[2].refusal or "")
    assert "No existe ninguna solicitud" in (outcomes[3].refusal or "")
    assert "algún dígito está equivocado" in (outcomes[4].refusal or "")
    assert all(isinstance(e, RequestStatusChanged) and e.to_status == "answered" for e in changed)
    assert {e.folio for e in changed} == {first, second}
    for folio in (first, second):
        notes = [h.note for h in _history(engine, folio) if h.to_value == "answered"]
        assert notes == ["La cuadrilla reparó la red de la colonia."]
    assert (await timed.get(foreign.folio)).status == Status.ASSIGNED

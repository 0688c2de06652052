"""Folio look-up allowances: a withheld number is counted per call (one withheld caller could
lock every other out), and the database allowance behind them (slots that lapse, numbers
never stored in clear)."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from test_flow import make_flow, spoken

import models.allowances
from ivr.flow import CallerInput, CallInfo, Step, Transfer
from ivr.flow.limits import QueryLimiter, lookup_limiter
from models.allowances import SharedAllowance
from models.bus import InProcessBus
from models.config import Settings
from models.db import session_scope
from models.outbox import Lease
from models.request_service import RequestService
from models.requests import Channel, RequestCreate

WITHHELD = ("anonymous", "+266696687", "")


async def _look_up(flow, call_id: str, caller: str, folio: str, times: int):  # noqa: ANN001, ANN202
    state, _ = await flow.start(CallInfo(call_id=call_id, transport="twilio", caller=caller))
    state, _ = await flow.handle(state, CallerInput(digits="2"))
    for _ in range(times):
        state, turn = await flow.handle(state, CallerInput(digits=folio))
        if state.step == Step.STATUS_READ:
            state, _ = await flow.handle(state, CallerInput(digits="1"))
    return state, turn


async def test_withheld_callers_do_not_share_one_allowance(
    engine: Engine, service: RequestService, bus: InProcessBus, settings: Settings
) -> None:
    limiter = lookup_limiter(settings, engine=engine)  # the database's, as without Redis
    request = await service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    flow = make_flow(engine, service, bus, limiter=limiter)
    allowed = settings.ivr.status_queries_per_withheld_call
    _, turn = await _look_up(flow, "CA-greedy", "anonymous", request.folio, allowed + 1)
    assert isinstance(turn.then, Transfer) and "muchos folios" in spoken(turn)
    for n, caller in enumerate(WITHHELD):  # every other withheld caller still has theirs
        state, turn = await _look_up(flow, f"CA-{n}", caller, request.folio, 1)
        assert not isinstance(turn.then, Transfer), spoken(turn)
        assert "Su folio" in spoken(turn) or state.step == Step.FOLIO


async def test_a_withheld_call_gets_the_tighter_allowance() -> None:
    limiter = QueryLimiter(per_hour=5, per_withheld_call=2)
    assert await limiter.allow(None, call_id="CA1") and await limiter.allow("", call_id="CA1")
    assert not await limiter.allow(None, call_id="CA1")
    assert await limiter.allow(None, call_id="CA2")
    for _ in range(5):
        assert await limiter.allow("+525512345678", call_id="CA1")


async def test_whatsapp_and_sms_from_one_number_share_its_allowance() -> None:
    limiter = QueryLimiter(per_hour=2)
    assert await limiter.allow("whatsapp:+5215512345678", call_id="SM1")
    assert await limiter.allow("+525512345678", call_id="SM2")
    assert not await limiter.allow("55 1234 5678", call_id="SM3")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_database_slots_lapse_after_the_window(engine: Engine) -> None:
    clock = Clock()
    allowance = SharedAllowance(engine=engine, namespace="prueba", secret=b"s", clock=clock)
    assert await allowance.take("+525512345678", uses=2, seconds=3600)
    clock.now += timedelta(minutes=30)
    assert await allowance.take("+525512345678", uses=2, seconds=3600)
    assert not await allowance.take("+525512345678", uses=2, seconds=3600)
    clock.now += timedelta(minutes=31)  # the first use is an hour old: one slot is free again
    assert await allowance.take("+525512345678", uses=2, seconds=3600)
    assert not await allowance.take("+525512345678", uses=2, seconds=3600)
    with session_scope(engine) as session:
        names = session.exec(select(Lease.name)).all()  # type: ignore[call-overload]
    assert len(names) == 2 and not any("5512345678" in name for name in names)


async def test_lapsed_slots_are_deleted(engine: Engine) -> None:
    clock = Clock()
    allowance = SharedAllowance(engine=engine, namespace="prueba", secret=b"s", clock=clock)
    for n in range(3):
        assert await allowance.take(f"+52551234567{n}", uses=1, seconds=60)
    clock.now += timedelta(minutes=2)
    fresh = SharedAllowance(engine=engine, namespace="prueba", secret=b"s", clock=clock)
    assert await fresh.take("+525599999999", uses=1, seconds=60)
    with session_scope(engine) as session:
        assert len(session.exec(select(Lease.name)).all()) == 1  # type: ignore[call-overload]


def test_examples_in_docstrings() -> None:
    assert doctest.testmod(models.allowances).failed == 0

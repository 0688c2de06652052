"""A folio whose status the caller heard is not the folio the call registered: the agent is
told which folio was asked about, and a request registered afterwards gets its own folio."""

from __future__ import annotations

from sqlalchemy import Engine
from test_flow import CALL, make_flow

from ivr.flow import CallerInput, CallState, Step, Transfer
from models.bus import InProcessBus
from models.request_service import RequestService
from models.requests import Channel, RequestCreate


async def _status_heard(flow, service: RequestService) -> tuple[CallState, str]:  # noqa: ANN001
    request = await service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(digits="2"))
    state, _ = await flow.handle(state, CallerInput(digits=request.folio))
    assert state.step == Step.STATUS_READ
    return state, request.folio


async def test_the_agent_is_told_the_folio_asked_about_not_as_this_calls(
    engine: Engine, service: RequestService, bus: InProcessBus
) -> None:
    flow = make_flow(engine, service, bus)
    state, folio = await _status_heard(flow, service)
    state, turn = await flow.handle(state, CallerInput(digits="0"))
    assert isinstance(turn.then, Transfer)
    context = turn.then.context
    assert (context.folio, context.queried_folio) == (None, folio)


async def test_a_request_registered_after_a_status_reading_gets_its_own_folio(
    engine: Engine, service: RequestService, bus: InProcessBus
) -> None:
    flow = make_flow(engine, service, bus)
    heard, folio = await _status_heard(flow, service)
    menu, _ = await flow.handle(heard, CallerInput(digits="2"))
    assert menu.step == Step.MENU
    state, _ = await flow.handle(menu, CallerInput(speech="hay un bache enorme en tlalpan"))
    while state.step != Step.REFERENCE:  # the category and the place, by keys
        key = "14" if state.step == Step.ALCALDIA else "1"
        state, _ = await flow.handle(state, CallerInput(digits=key))
    state, _ = await flow.handle(state, CallerInput(speech="calle Morelos frente al mercado"))
    assert state.step == Step.REGISTERED
    assert state.folio and state.folio != folio

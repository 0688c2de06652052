"""A caller taken from the queue to the IVR's status reading and served there to the goodbye
leaves the same record on both fronts: the queue left on purpose (never an abandon, though
Asterisk raises ``QueueCallerAbandon``), and the call ended in the IVR."""

from __future__ import annotations

from sqlmodel import Session
from test_call_records_parity import CALLER, LINKEDID, SAME_VALUES, AsteriskCall, TwilioCall, drain

from ivr.asterisk import constants as names
from ivr.flow import CallerInput, CallInfo
from models.call_records import write_events
from models.calls import CallRecord
from models.metrics.definitions import Outcome, fact_of
from models.requests import Channel, RequestCreate


async def test_redirected_from_the_queue_to_the_status_reading(twilio_app, twilio_http) -> None:  # noqa: ANN001
    container = twilio_app.state.container
    twilio, asterisk = TwilioCall(twilio_http), AsteriskCall(twilio_app)
    request = await asterisk.flow.requests.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    async with container.bus.subscribe() as events:
        await twilio.to_queue()
        await twilio.hook("queue/result?queue=locatel", QueueResult="redirected", QueueTime="5")
        reading = await twilio.call._follow(await twilio.hook(f"estado?folio={request.folio}"))
        assert "La solicitud con folio" in reading.text
        assert (await twilio.call.silence()).end == "hangup"
        await twilio.call.hang_up(duration=30)
        published = await drain(events)
    await asterisk.ivr(CallerInput(digits="0"))
    status = {**CALLER, "Context": names.CONTEXT_STATUS, "Exten": request.folio}
    asterisk.ami(
        {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
        {"Event": "QueueCallerAbandon", **CALLER, "Queue": "locatel", "HoldTime": "5"},
        {"Event": "Newexten", **status, "Application": "Set"},
        {"Event": "AGIExecStart", **status, "Command": "ANSWER"},
    )
    asterisk.collector.events.clear()
    info = CallInfo(call_id=LINKEDID, transport="asterisk", caller="5512345678")
    state, _ = await asterisk.flow.read_status(info, request.folio)
    await asterisk.flow.handle(state, CallerInput(timed_out=True))
    asterisk.events += asterisk.collector.events
    asterisk.hang_up("")
    write_events(
        container.engine,
        [e for e in published if getattr(e, "call_id", "") == twilio.call.call_sid],
    )
    write_events(container.engine, asterisk.events)
    with Session(container.engine) as session:
        on_twilio = session.get(CallRecord, twilio.call.call_sid)
        on_asterisk = session.get(CallRecord, LINKEDID)
    assert on_twilio is not None and on_asterisk is not None
    for record in (on_twilio, on_asterisk):
        assert (record.status, record.queue_exit, record.abandoned_at) == ("ivr", "left", None)
        assert record.ivr_path[-1] == "done" and record.wait_seconds == 5
        fact = fact_of(record)
        assert fact is not None and fact.outcome == Outcome.LEFT
    mine, theirs = on_twilio.model_dump(), on_asterisk.model_dump()
    assert {name: mine[name] for name in SAME_VALUES} == {
        name: theirs[name] for name in SAME_VALUES
    }

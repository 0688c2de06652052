"""The call recorder's writes: every field from events, and replays, duplicates and late
events that change nothing."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import ivr.twilio.twiml
import models.call_facts
import models.handoff
from models.call_records import write_events
from models.calls import CallRecord
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallAgentRinging,
    CallConnected,
    CallEnded,
    CallHandedOver,
    CallHeld,
    CallIvrStep,
    CallQueued,
    CallStarted,
    CallTransferred,
    CallWrappedUp,
    RequestRegistered,
)
from models.handoff import CategoryGuess, HandoffContext, handoff_for

T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
CALL = "CA" + "a" * 32


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def registered(folio: str, seconds: float) -> RequestRegistered:
    return RequestRegistered(
        folio=folio,
        catalogue_code="AGU-001",
        channel="twilio_call",
        status="received",
        call_id=CALL,
        occurred_at=at(seconds),
    )


CONTEXT = HandoffContext(
    caller="+525512345678",
    path=["menu", "describe"],
    categories=[CategoryGuess(code="AGU-001", name="Falta de agua", confidence=0.8)],
    alcaldia="Iztapalapa",
    reason="el ciudadano pidió un asesor",
)


def answered_call() -> list[BaseEvent]:
    """A call through the IVR, two folios, a hand-over, one ring out, hold twice, a transfer."""
    return [
        CallStarted(call_id=CALL, transport="twilio", caller="+525512345678", occurred_at=T0),
        CallIvrStep(call_id=CALL, step="menu", occurred_at=at(1)),
        CallIvrStep(call_id=CALL, step="describe", occurred_at=at(5)),
        registered("2600000019", 20),
        registered("2600000027", 40),
        CallHandedOver(call_id=CALL, queue="locatel", context=CONTEXT, occurred_at=at(45)),
        CallQueued(call_id=CALL, queue="locatel", position=3, occurred_at=at(46)),
        CallQueued(call_id=CALL, queue="locatel", position=1, occurred_at=at(80)),
        CallAgentRinging(call_id=CALL, queue="locatel", agent="ana", occurred_at=at(90)),
        CallAgentRinging(
            call_id=CALL, queue="locatel", agent="ana", answered=False, occurred_at=at(105)
        ),
        CallConnected(
            call_id=CALL, queue="locatel", agent="luis", wait_seconds=64, occurred_at=at(110)
        ),
        CallHeld(call_id=CALL, on_hold=True, occurred_at=at(120)),
        CallHeld(call_id=CALL, on_hold=False, occurred_at=at(130)),
        CallHeld(call_id=CALL, on_hold=True, occurred_at=at(140)),
        CallTransferred(call_id=CALL, target="5555@locatel-agentes", occurred_at=at(150)),
        CallEnded(call_id=CALL, cause="completed", ended_by="caller", occurred_at=at(155)),
        CallWrappedUp(
            call_id=CALL,
            agent="luis",
            disposition="orientación",
            notes="Se dio el folio.",
            occurred_at=at(200),
        ),
    ]


def record(engine: Engine) -> CallRecord:
    with Session(engine) as session:
        found = session.get(CallRecord, CALL)
    assert found is not None
    return found


def fields(engine: Engine) -> dict[str, object]:
    return record(engine).model_dump(exclude={"applied_events"})


def test_every_fact_of_an_answered_call(engine: Engine) -> None:
    assert write_events(engine, answered_call()) == len(answered_call())
    call = record(engine)
    assert (call.transport, call.caller, call.started_at) == ("twilio", "+525512345678", T0)
    assert call.ivr_path == ["menu", "describe"] and call.ivr_outcome == "handed_over"
    assert (call.queue, call.queued_at, call.queue_position) == ("locatel", at(46), 3)
    assert (call.rings, call.missed) == (1, 1)
    assert (call.agent, call.answered_at, call.wait_seconds) == ("luis", at(110), 64)
    assert (call.hold_count, call.hold_seconds, call.held_since) == (2, 25.0, None)
    assert (call.transfer_target, call.transferred_at) == ("5555@locatel-agentes", at(150))
    assert (call.status, call.ended_at, call.duration_seconds) == ("answered", at(155), 155.0)
    assert (call.cause, call.ended_by) == ("completed", "caller")
    assert call.folios == ["2600000019", "2600000027"]
    assert (call.wrapup_disposition, call.wrapup_notes) == ("orientación", "Se dio el folio.")
    assert handoff_for(engine, CALL) == CONTEXT


def test_replayed_and_duplicated_events_change_nothing(engine: Engine) -> None:
    events = answered_call()
    write_events(engine, events)
    before = fields(engine)
    assert write_events(engine, events) == 0
    assert write_events(engine, [*events[::-1], *events]) == 0
    assert fields(engine) == before


def test_late_events_after_the_end_change_nothing(engine: Engine) -> None:
    write_events(engine, answered_call())
    before = fields(engine)
    late = [
        CallQueued(call_id=CALL, queue="otra", position=9, occurred_at=at(300)),
        CallConnected(call_id=CALL, queue="otra", agent="eva", occurred_at=at(300)),
        CallAbandoned(call_id=CALL, queue="otra", wait_seconds=99, occurred_at=at(300)),
        CallTransferred(call_id=CALL, target="9999", occurred_at=at(300)),
        CallEnded(call_id=CALL, cause="Normal Clearing", ended_by="agent", occurred_at=at(301)),
        registered("2600000019", 302),
    ]
    assert write_events(engine, late) == len(late)  # applied once each, ignored as facts
    assert fields(engine) == before


def test_an_abandon_reported_before_the_queue_join(engine: Engine) -> None:
    write_events(
        engine,
        [
            CallEnded(call_id=CALL, cause="completed", duration_seconds=20, occurred_at=at(20)),
            CallAbandoned(call_id=CALL, queue="locatel", wait_seconds=7, occurred_at=at(19)),
            CallQueued(call_id=CALL, queue="locatel", position=1, occurred_at=at(12)),
            CallStarted(call_id=CALL, transport="twilio", occurred_at=T0),
        ],
    )
    call = record(engine)
    assert (call.status, call.wait_seconds, call.ended_by) == ("abandoned", 7, "caller")
    assert (call.started_at, call.queued_at, call.duration_seconds) == (T0, at(12), 20)


@pytest.mark.parametrize(
    ("last_step", "status", "outcome", "ended_by"),
    [
        ("done", "ivr", "completed", "system"),
        ("describe", "ivr", "hung_up", "caller"),
        ("registered", "ivr", "completed", "caller"),  # folio heard, hung up at "¿algo más?"
        ("status_read", "ivr", "completed", "caller"),
    ],
)
def test_ivr_only_calls(
    engine: Engine, last_step: str, status: str, outcome: str, ended_by: str
) -> None:
    write_events(
        engine,
        [
            CallStarted(call_id=CALL, transport="asterisk", occurred_at=T0),
            CallIvrStep(call_id=CALL, step="ivr", occurred_at=at(1)),  # the transport's marker
            CallIvrStep(call_id=CALL, step="menu", occurred_at=at(2)),
            CallIvrStep(call_id=CALL, step=last_step, occurred_at=at(9)),
            CallEnded(call_id=CALL, cause="Normal Clearing", occurred_at=at(10)),
        ],
    )
    call = record(engine)
    assert call.ivr_path == ["menu", last_step]
    assert (call.status, call.ivr_outcome, call.ended_by) == (status, outcome, ended_by)
    assert handoff_for(engine, CALL) is None


def test_a_call_hung_up_on_hold_closes_the_hold(engine: Engine) -> None:
    write_events(
        engine,
        [
            CallConnected(call_id=CALL, queue="locatel", agent="ana", occurred_at=at(5)),
            CallHeld(call_id=CALL, on_hold=True, occurred_at=at(10)),
            CallEnded(call_id=CALL, occurred_at=at(40)),
        ],
    )
    assert (record(engine).hold_count, record(engine).hold_seconds) == (1, 30.0)


def test_handoff_for_an_unknown_call_is_none(engine: Engine) -> None:
    assert handoff_for(engine, "desconocida") is None


@pytest.mark.parametrize("module", [models.call_facts, models.handoff, ivr.twilio.twiml])
def test_docstring_examples(module: object) -> None:
    results = doctest.testmod(module)  # type: ignore[arg-type]
    assert results.attempted > 0 and results.failed == 0

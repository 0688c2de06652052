"""What an Asterisk call's record says of it, as Asterisk 22 reports the call: a supervisor's
spy leg, a caller taken from the queue to the status reading, a call the IVR served to the end,
and a call answered while the AMI link was down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from ivr.asterisk import constants as names
from ivr.asterisk.call_tracker import CallTracker
from models.call_records import write_events
from models.calls import CallRecord
from models.events import BaseEvent, CallConnected, CallEnded, CallIvrStep, CallLeftQueue
from models.metrics.definitions import Outcome, fact_of

from .fake_ami import channel
from .test_queue_state import T0, Clock


def record(engine: Engine, call_id: str) -> CallRecord | None:
    with Session(engine) as session:
        return session.get(CallRecord, call_id)


def fed(tracker: CallTracker, *frames: dict[str, str]) -> list[BaseEvent]:
    return [event for frame in frames for event in tracker.feed(frame)]


def test_a_supervisor_phone_running_chanspy_is_no_citizen_call(engine: Engine) -> None:
    tracker = CallTracker(source="asterisk:locatel")
    phone = channel("3.1", "3.1", "PJSIP/1900-00000003", CallerIDNum="1900")
    events = fed(
        tracker,
        {"Event": "Newchannel", **phone},  # a phone with its number: announced at once
        {"Event": "Newexten", **phone, "Application": "ChanSpy", "AppData": "PJSIP/1001-,q"},
        {"Event": "Hangup", **phone, "Cause": "16"},
    )
    quiet = channel("4.1", "4.1", "PJSIP/1900-00000004", CallerIDNum="<unknown>")
    spyer = {f"Spyer{key}": value for key, value in quiet.items()}
    events += fed(
        tracker,
        {"Event": "Newchannel", **quiet},
        {"Event": "ChanSpyStart", **spyer, "SpyeeUniqueid": "9.2"},
        {"Event": "Hangup", **quiet, "Cause": "16"},
    )
    write_events(engine, events)
    assert [(e.type, getattr(e, "status", "")) for e in events] == [
        ("call.started", ""),
        ("call.ended", "spy"),
    ]
    spy = record(engine, "3.1")
    assert spy is not None and spy.status == "spy"
    assert record(engine, "4.1") is None and tracker.active_calls == set()


def test_a_caller_redirected_from_the_queue_to_the_status_reading_did_not_abandon(
    engine: Engine,
) -> None:
    tracker = CallTracker(source="asterisk:locatel")
    caller = channel("5.1", "5.1", "PJSIP/troncal-00000005")
    status = {**caller, "Context": names.CONTEXT_STATUS, "Exten": "2600012349"}
    events = fed(
        tracker,
        {"Event": "Newchannel", **caller},
        {"Event": "AGIExecStart", **caller, "Command": "ANSWER"},
        {"Event": "QueueCallerJoin", **caller, "Queue": "locatel", "Position": "1"},
        {"Event": "QueueCallerAbandon", **caller, "Queue": "locatel", "HoldTime": "12"},
        {"Event": "Newexten", **status, "Application": "Set", "AppData": "SUAC_FOLIO=2600012349"},
        {"Event": "AGIExecStart", **status, "Command": "ANSWER"},
    )
    events += [  # what the IVR's status reading publishes: read, then goodbye
        CallIvrStep(call_id="5.1", step="status_read", source="ivr"),
        CallIvrStep(call_id="5.1", step="done", source="ivr"),
    ]
    events += fed(tracker, {"Event": "Hangup", **status, "Cause": "16"})
    types = [e.type for e in events]
    assert "call.abandoned" not in types
    (left,) = [e for e in events if isinstance(e, CallLeftQueue)]
    assert (left.reason, left.wait_seconds) == ("left", 12.0)
    assert [e.status for e in events if isinstance(e, CallEnded)] == ["ivr"]
    write_events(engine, events)
    redirected = record(engine, "5.1")
    assert redirected is not None
    assert (redirected.queue_exit, redirected.abandoned_at) == ("left", None)
    assert redirected.status == "ivr"  # the IVR served it to the end
    fact = fact_of(redirected)
    assert fact is not None and fact.outcome == Outcome.LEFT


def test_a_call_the_ivr_served_to_the_end_is_not_unanswered(engine: Engine) -> None:
    tracker = CallTracker(source="asterisk:locatel")
    caller = channel("6.1", "6.1", "PJSIP/troncal-00000006")
    events = fed(
        tracker,
        {"Event": "Newchannel", **caller},
        {"Event": "Newexten", **caller, "Application": "AGI", "AppData": "agi://x/ivr"},
    )
    events += [
        CallIvrStep(call_id="6.1", step="menu", source="ivr"),
        CallIvrStep(call_id="6.1", step="done", source="ivr"),
    ]
    hangup = {**caller, "Context": names.CONTEXT_HANGUP, "Cause": "16"}
    events += fed(tracker, {"Event": "Hangup", **hangup})
    assert [e.status for e in events if isinstance(e, CallEnded)] == ["ivr"]
    write_events(engine, events)
    served = record(engine, "6.1")
    assert served is not None
    assert (served.status, served.ivr_outcome, served.ended_by) == ("ivr", "completed", "system")


def answered_while_away(linkedid: str, *, wait: str, agent_age: str) -> list[dict[str, str]]:
    """``CoreShowChannels`` of a call whose agent answered while the link was down: the
    caller's leg still in Queue() (``QUEUEWAIT`` set at the answer), the member's leg bridged."""
    caller = channel(linkedid, linkedid, "PJSIP/troncal-00000007", Context=names.CONTEXT_QUEUE)
    agent = channel(f"{linkedid}9", linkedid, "PJSIP/1001-00000008", Context="default")
    return [
        {
            **caller,
            "Application": "Queue",
            "ApplicationData": "locatel,t,,,1800",
            "Duration": "00:01:30",
            "BridgeId": "b-1",
            "ChanVariable": [f"{names.VAR_RECORDING}=", f"{names.VAR_QUEUE_WAIT}={wait}"],
        },
        {**agent, "Application": "AppQueue", "Duration": agent_age, "BridgeId": "b-1"},
    ]  # type: ignore[list-item]  (several ChanVariable lines arrive as a list)


def test_a_call_answered_while_the_link_was_down_keeps_asterisks_answer_time(
    engine: Engine,
) -> None:
    clock = Clock()
    tracker = CallTracker(source="asterisk:locatel", clock=clock)
    caller = channel("7.1", "7.1", "PJSIP/troncal-00000007")
    events = fed(
        tracker,
        {"Event": "Newchannel", **caller},
        {"Event": "QueueCallerJoin", **caller, "Queue": "locatel", "Position": "1"},
    )
    clock.now = T0 + timedelta(seconds=75)  # the link is back 75 s after the caller queued
    events += tracker.resync_channels(answered_while_away("7.1", wait="8", agent_age="00:01:10"))
    (connected,) = [e for e in events if isinstance(e, CallConnected)]
    assert (connected.agent, connected.wait_seconds) == ("PJSIP/1001", 8.0)
    assert connected.occurred_at == T0 + timedelta(seconds=8)
    for event in events:  # the recorder dates the queue join by its event
        if event.type == "call.queued":
            events[events.index(event)] = event.model_copy(update={"occurred_at": T0})
    write_events(engine, events)
    answered = record(engine, "7.1")
    assert answered is not None
    assert (answered.status, answered.wait_seconds) == ("answered", 8.0)
    assert answered.answered_at == T0 + timedelta(seconds=8)


def test_an_answer_missed_without_its_wait_is_dated_by_the_agents_leg() -> None:
    clock = Clock()
    tracker = CallTracker(source="asterisk:locatel", clock=clock)
    items = answered_while_away("8.1", wait="", agent_age="00:00:40")
    connected = [e for e in tracker.resync_channels(items) if isinstance(e, CallConnected)]
    assert [(e.wait_seconds, e.occurred_at) for e in connected] == [
        (None, T0 - timedelta(seconds=40))
    ]


def test_a_caller_first_seen_waiting_in_a_queue_status_is_dated_by_its_wait() -> None:
    clock = Clock()
    tracker = CallTracker(source="asterisk:locatel", clock=clock)
    clock.now = T0 + timedelta(seconds=100)  # the QueueStatus of a (re)connect: waiting 30 s
    entry = {**channel("9.1", "9.1", "PJSIP/troncal-00000009"), "Queue": "locatel", "Wait": "30"}
    fed(tracker, {"Event": "QueueEntry", **entry, "Position": "1"})
    clock.now = T0 + timedelta(seconds=200)  # answered 40 s after it joined, the link down
    items = answered_while_away("9.1", wait="40", agent_age="00:01:35")
    (connected,) = [e for e in tracker.resync_channels(items) if isinstance(e, CallConnected)]
    assert connected.occurred_at == T0 + timedelta(seconds=110)

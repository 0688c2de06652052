"""The call tracker on its own: legs, IVR entry, ordering and resynchronisation."""

from __future__ import annotations

from ivr.asterisk.call_tracker import CallTracker

from .fake_ami import channel


def feed(tracker: CallTracker, *events: dict) -> list[str]:
    return [e.type for event in events for e in tracker.feed(event)]


def test_ivr_entry_from_agi_exec_start_alone_and_only_once() -> None:
    tracker = CallTracker(source="prueba")
    leg = channel("7.1", "7.1", "PJSIP/trunk-7")
    types = feed(
        tracker,
        {"Event": "Newchannel", **leg},
        {"Event": "AGIExecStart", **leg, "Command": "ANSWER"},
        {"Event": "AGIExecStart", **leg, "Command": "STREAM FILE x"},
        {"Event": "Newexten", **leg, "Application": "AGI"},
    )
    assert types == ["call.started", "call.ivr_step"]


def test_call_started_waits_for_the_caller_number() -> None:
    tracker = CallTracker(source="prueba")
    unknown = channel("8.1", "8.1", "Local/s@ivr-1;1", CallerIDNum="<unknown>")
    assert feed(tracker, {"Event": "Newchannel", **unknown}) == []
    known = {**unknown, "Event": "NewCallerid", "CallerIDNum": "5511112222"}
    assert feed(tracker, known) == ["call.started"]


def test_a_call_ends_when_its_last_leg_hangs_up_with_the_callers_cause() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("9.1", "9.1", "PJSIP/trunk-9")
    agent = channel("9.2", "9.1", "PJSIP/1001-2")
    feed(tracker, {"Event": "Newchannel", **caller}, {"Event": "Newchannel", **agent})
    hangup = {"Event": "Hangup", "Cause": "16", "Cause-txt": "Normal Clearing"}
    assert feed(tracker, {**hangup, **caller, "Cause-txt": "User busy"}) == []
    ended = tracker.feed({**hangup, **agent})
    assert [e.type for e in ended] == ["call.ended"]
    assert (ended[0].cause, ended[0].status) == ("User busy", "unanswered")


def test_resync_prunes_legs_that_vanished() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("4.1", "4.1", "PJSIP/trunk-4")
    agent = channel("4.2", "4.1", "PJSIP/1001-4")
    feed(tracker, {"Event": "Newchannel", **caller}, {"Event": "Newchannel", **agent})
    assert tracker.resync_channels([caller]) == []  # the agent's leg ended while away
    assert [e.type for e in tracker.feed({"Event": "Hangup", **caller})] == ["call.ended"]

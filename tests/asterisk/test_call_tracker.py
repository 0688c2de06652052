"""The call tracker on its own: legs, IVR entry, ordering and resynchronisation."""

from __future__ import annotations

from pathlib import Path

from ivr.asterisk.call_tracker import CallTracker

from .fake_ami import channel, parse_frame


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


def test_a_supervisors_listening_channel_is_no_call_and_its_end_is_reported() -> None:
    tracker = CallTracker(source="prueba")
    spy = channel("suac-escucha-ab12", "suac-escucha-ab12", "PJSIP/1900-0000000a")
    assert feed(tracker, {"Event": "Newchannel", **spy}, {"Event": "Newexten", **spy}) == []
    assert tracker.active_calls == set()
    (ended,) = tracker.feed({"Event": "Hangup", **spy, "Cause": "16", "Cause-txt": "Normal"})
    assert (ended.type, ended.channel_id, ended.cause) == (  # type: ignore[attr-defined]
        "spy.ended",
        "suac-escucha-ab12",
        "Normal",
    )


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


def test_ringing_no_answer_hold_and_transfer() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("3.1", "3.1", "PJSIP/trunk-3")
    member = {"Queue": "locatel", "Interface": "PJSIP/1001", "MemberName": "Ana"}
    events = [
        e
        for event in (
            {"Event": "Newchannel", **caller},
            {"Event": "QueueCallerJoin", **caller, "Queue": "locatel", "Position": "2"},
            {"Event": "AgentCalled", **caller, **member},
            {"Event": "AgentRingNoAnswer", **caller, **member, "RingTime": "15"},
            {"Event": "AgentConnect", **caller, **member, "HoldTime": "31"},
            {"Event": "Hold", **caller},
            {"Event": "Hold", **caller},  # repeated: still one
            {"Event": "Unhold", **caller},
            {
                "Event": "BlindTransfer",
                **{f"Transferee{k}": v for k, v in caller.items()},
                "Extension": "5555",
                "Context": "locatel-agentes",
            },
        )
        for e in tracker.feed(event)
    ]
    assert [e.type for e in events] == [
        "call.started",
        "call.queued",
        "call.agent_ringing",
        "call.agent_ringing",
        "call.connected",
        "call.held",
        "call.held",
        "call.transferred",
    ]
    assert [e.answered for e in events if e.type == "call.agent_ringing"] == [None, False]
    assert events[4].wait_seconds == 31.0 and events[4].agent == "PJSIP/1001"
    assert [e.on_hold for e in events if e.type == "call.held"] == [True, False]
    assert events[-1].target == "5555@locatel-agentes"


def test_failed_and_attended_transfers() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("4.1", "4.1", "PJSIP/trunk-4")
    agent = channel("4.2", "4.1", "PJSIP/1001-4")
    feed(tracker, {"Event": "Newchannel", **caller}, {"Event": "Newchannel", **agent})
    failed = {
        "Event": "BlindTransfer",
        "Result": "Fail",
        **{f"Transferer{k}": v for k, v in agent.items()},
        "Extension": "9999",
        "Context": "locatel-agentes",
    }
    # Asterisk names the first agent's leg OrigTransferer in an attended transfer
    attended = {
        "Event": "AttendedTransfer",
        "Result": "Success",
        **{f"OrigTransferer{k}": v for k, v in agent.items()},
        "DestType": "Bridge",
        "TransferTargetChannel": "PJSIP/1002-5",
    }
    assert feed(tracker, failed) == []
    events = tracker.feed(attended)
    assert [(e.type, e.call_id, e.target) for e in events] == [
        ("call.transferred", "4.1", "PJSIP/1002-5")
    ]


def test_agent_pause_with_reason_and_logout() -> None:
    tracker = CallTracker(source="prueba")
    member = {"Queue": "locatel", "Interface": "PJSIP/1001", "Status": "1"}
    pause = {"Event": "QueueMemberPause", **member, "Paused": "1", "PausedReason": "comida"}
    states = [
        (e.state, e.reason)
        for event in (
            {"Event": "QueueMemberAdded", **member, "Paused": "0"},
            pause,
            pause,
            {"Event": "QueueMemberStatus", **member, "Paused": "0", "Status": "6"},
            {"Event": "QueueMemberRemoved", **member},
        )
        for e in tracker.feed(event)
    ]
    assert states == [
        ("available", ""),
        ("paused", "comida"),
        ("ringing", ""),
        ("logged_out", ""),
    ]


def test_recording_path_from_channel_variables_once_per_call() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("2.1", "2.1", "PJSIP/trunk-2")
    path = "/var/spool/asterisk/monitor/suac/2.1.wav"
    join = {"Event": "QueueCallerJoin", **caller, "Queue": "locatel", "Position": "1"}
    events = [
        e
        for event in (
            {"Event": "Newchannel", **caller, "ChanVariable": "SUAC_GRABACION="},
            {**join, "ChanVariable": f"SUAC_GRABACION={path}"},
            {"Event": "Hangup", **caller, "ChanVariable": ["OTRA=1", f"SUAC_GRABACION={path}"]},
        )
        for e in tracker.feed(event)
    ]
    assert [e.type for e in events] == [
        "call.started",
        "call.queued",
        "call.recording_started",
        "call.ended",
    ]
    assert events[2].path == path


def test_resync_mid_call_sees_a_call_answered_while_away(transcripts: Path) -> None:
    raw = (transcripts / "a_queue_answered.ami.asterisk-to-client.raw.txt").read_bytes()
    frames = [parse_frame(f) for f in raw.split(b"\r\n\r\n") if b"Event: CoreShowChannel\r" in f]
    assert len(frames) == 4  # recorded while the caller talked to agent 1
    tracker = CallTracker(source="prueba")
    events = tracker.resync_channels(frames)
    assert [e.type for e in events] == ["call.started", "call.connected"]
    assert (events[1].queue, events[1].agent) == ("locatel", "Local/agent1@agents")
    assert tracker.resync_channels(frames) == []  # a second snapshot changes nothing
    waiting = [{**f, "BridgeId": ""} for f in frames]
    assert [e.type for e in CallTracker(source="prueba").resync_channels(waiting)] == [
        "call.started"
    ]


def test_agent_complete_tells_who_hung_up() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("6.1", "6.1", "PJSIP/trunk-6")
    member = {"Queue": "locatel", "Interface": "PJSIP/1001", "HoldTime": "3"}
    feed(tracker, {"Event": "Newchannel", **caller}, {"Event": "AgentConnect", **caller, **member})
    assert feed(tracker, {"Event": "AgentComplete", **caller, **member, "Reason": "agent"}) == []
    (ended,) = tracker.feed({"Event": "Hangup", **caller})
    assert (ended.type, ended.ended_by, ended.status) == ("call.ended", "agent", "answered")


def test_a_queued_call_hung_up_by_asterisk_stopping_is_lost_not_abandoned() -> None:
    """``core stop``/``restart`` asks every channel to hang up (SoftHangupRequest, Cause 4),
    then reports the waiting caller as QueueCallerAbandon (as on a real Asterisk 22)."""
    tracker = CallTracker(source="prueba")
    caller = channel("11.1", "11.1", "Local/s@locatel-entrada-1;2", CallerIDNum="5511112222")
    feed(tracker, {"Event": "Newchannel", **caller})
    feed(tracker, {"Event": "QueueCallerJoin", **caller, "Queue": "locatel", "Position": "1"})
    types = feed(
        tracker,
        {"Event": "SoftHangupRequest", **caller, "Cause": "4"},
        {"Event": "QueueCallerAbandon", **caller, "Queue": "locatel", "HoldTime": "3"},
    )
    ended = tracker.feed({"Event": "Hangup", **caller, "Cause": "0", "Cause-txt": "Unknown"})
    assert types == [] and [e.type for e in ended] == ["call.ended"]
    assert (ended[0].status, ended[0].cause) == ("lost", "shutdown")  # type: ignore[attr-defined]
    hung_up = channel("12.1", "12.1", "Local/s@locatel-entrada-2;2", CallerIDNum="5511112222")
    feed(tracker, {"Event": "Newchannel", **hung_up})
    feed(tracker, {"Event": "QueueCallerJoin", **hung_up, "Queue": "locatel", "Position": "1"})
    explicit = {"Event": "SoftHangupRequest", **hung_up, "Cause": "16"}  # the AMI Hangup action
    feed(tracker, explicit, {"Event": "QueueCallerAbandon", **hung_up, "Queue": "locatel"})
    ended = tracker.feed({"Event": "Hangup", **hung_up, "Cause": "16", "Cause-txt": "Normal"})
    assert [e.type for e in ended] == ["call.abandoned", "call.ended"]

"""Live queue state from AMI events, corrected by QueueStatus, published as QueueSnapshot."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import ivr.asterisk.commands
from ivr.asterisk.queue_state import QueueBoard
from models.events import QueueSnapshot

from .fake_ami import FakeAmi, channel
from .harness import Harness

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_events_keep_callers_and_members_current() -> None:
    clock = Clock()
    board = QueueBoard(source="asterisk:locatel", clock=clock)
    member = {"Queue": "locatel", "Interface": "PJSIP/1001", "MemberName": "Ana", "Status": "1"}
    assert board.feed({"Event": "QueueMemberAdded", **member, "Paused": "0"}) == {"locatel"}
    for n, uid in enumerate(("1.1", "2.1")):
        clock.now = T0 + timedelta(seconds=10 * n)
        join = {"Event": "QueueCallerJoin", **channel(uid, uid, "PJSIP/t"), "Queue": "locatel"}
        assert board.feed(join) == {"locatel"}
    clock.now = T0 + timedelta(seconds=30)
    pause = {**member, "Paused": "1", "PausedReason": "comida"}
    assert board.feed({"Event": "QueueMemberPause", **pause}) == {"locatel"}
    assert board.feed({"Event": "QueueMemberPause", **pause}) == set()  # nothing new
    clock.now = T0 + timedelta(seconds=45)
    snapshot = board.snapshot("locatel")
    assert [(c.call_id, c.position, c.wait_seconds) for c in snapshot.callers] == [
        ("1.1", 1, 45.0),
        ("2.1", 2, 35.0),
    ]
    assert [(m.agent, m.name, m.state, m.reason, m.seconds_in_state) for m in snapshot.members] == [
        ("PJSIP/1001", "Ana", "paused", "comida", 15.0)
    ]
    assert (snapshot.waiting, snapshot.available_agents, snapshot.logged_in_agents) == (2, 0, 1)
    assert snapshot.longest_wait_seconds == 45.0
    abandon = {"Event": "QueueCallerAbandon", "Queue": "locatel", "Uniqueid": "1.1"}
    assert board.feed(abandon) == {"locatel"}
    assert board.feed({"Event": "Hangup", **channel("2.1", "2.1", "PJSIP/t")}) == {"locatel"}
    assert board.feed({"Event": "QueueMemberRemoved", **member}) == {"locatel"}
    empty = board.snapshot("locatel")
    assert (empty.waiting, empty.logged_in_agents, empty.callers, empty.members) == (0, 0, [], [])


def test_queue_status_corrects_the_state_and_keeps_known_times() -> None:
    clock = Clock()
    board = QueueBoard(source="asterisk:locatel", clock=clock)
    board.feed({"Event": "QueueMemberAdded", "Queue": "locatel", "Interface": "PJSIP/1001"})
    board.feed({"Event": "QueueCallerJoin", "Queue": "locatel", "Uniqueid": "9.1"})  # missed leave
    clock.now = T0 + timedelta(seconds=60)
    board.apply_status(
        [
            {"Event": "QueueParams", "Queue": "locatel"},
            {"Event": "QueueMember", "Queue": "locatel", "Location": "PJSIP/1001", "Status": "1"},
            {"Event": "QueueMember", "Queue": "locatel", "Location": "PJSIP/1002", "Status": "2"},
            {"Event": "QueueEntry", "Queue": "locatel", "Position": "2", "Uniqueid": "4.1"},
            {
                "Event": "QueueEntry",
                "Queue": "locatel",
                "Position": "1",
                "Uniqueid": "3.1",
                "CallerIDNum": "5512345678",
                "Wait": "40",
            },
        ]
    )
    (snapshot,) = board.apply_summary([{"Event": "QueueSummary", "Queue": "locatel"}])
    assert [(c.call_id, c.caller, c.wait_seconds) for c in snapshot.callers] == [
        ("3.1", "5512345678", 40.0),
        ("4.1", "", 0.0),
    ]
    assert [(m.agent, m.state, m.seconds_in_state) for m in snapshot.members] == [
        ("PJSIP/1001", "available", 60.0),  # unchanged since the event: its time is kept
        ("PJSIP/1002", "in_use", 0.0),
    ]
    assert (snapshot.transport, snapshot.available_agents, snapshot.logged_in_agents) == (
        "asterisk",
        1,
        2,
    )


async def test_refresh_publishes_every_queue_from_the_peer(fake_ami: FakeAmi) -> None:
    fake_ami.members = [
        {"Queue": "locatel", "Location": "PJSIP/1001", "Status": "1", "Paused": "0"},
        {
            "Queue": "locatel",
            "Location": "PJSIP/1002",
            "Status": "1",
            "Paused": "1",
            "PausedReason": "capacitación",
        },
    ]
    fake_ami.entries = [{"Queue": "locatel", "Position": "1", "Uniqueid": "7.1", "Wait": "12"}]
    fake_ami.summary = {"Queue": "locatel", "Callers": "1"}
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        await harness.link.connected.wait()
        await harness.settle()
        fake_ami.entries = []
        fake_ami.members = fake_ami.members[1:]
        before = len(harness.events)
        await harness.bridge.refresh_queues()
        await harness.settle()
    first = [e for e in harness.events[:before] if isinstance(e, QueueSnapshot)][-1]
    assert [(c.call_id, c.wait_seconds >= 12) for c in first.callers] == [("7.1", True)]
    assert [(m.agent, m.state, m.reason) for m in first.members] == [
        ("PJSIP/1001", "available", ""),
        ("PJSIP/1002", "paused", "capacitación"),
    ]
    (latest,) = [e for e in harness.events[before:] if isinstance(e, QueueSnapshot)]
    assert (latest.waiting, latest.logged_in_agents, latest.available_agents) == (0, 1, 0)
    assert fake_ami.received[-1]["Action"] == "QueueSummary"


def test_docstring_examples() -> None:
    results = doctest.testmod(ivr.asterisk.commands)
    assert results.attempted and not results.failed

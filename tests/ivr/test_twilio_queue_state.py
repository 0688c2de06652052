"""Twilio queues' live state from the app's own call events, in Asterisk's snapshot schema."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ivr.twilio.queue_state import TwilioQueueTracker
from models.bus import InProcessBus
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallQueued,
    CallStarted,
    QueueSnapshot,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Published:
    """A notifier that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[BaseEvent] = []

    async def publish(self, event: BaseEvent) -> None:
        self.events.append(event)

    def last(self) -> QueueSnapshot:
        snapshot = self.events[-1]
        assert isinstance(snapshot, QueueSnapshot)
        return snapshot


async def test_callers_wait_until_connected_abandoned_or_gone() -> None:
    now = [T0]
    published = Published()
    tracker = TwilioQueueTracker(
        bus=InProcessBus(), notifier=published, interval=5, clock=lambda: now[0]
    )
    for sid, number in (("CA1", "+525511111111"), ("CA2", "+525522222222"), ("CA3", "")):
        await tracker.handle(CallStarted(call_id=sid, transport="twilio", caller=number))
    await tracker.handle(CallStarted(call_id="1.1", transport="asterisk"))
    await tracker.handle(CallQueued(call_id="1.1", queue="locatel"))  # not a Twilio call
    assert published.events == []
    for sid in ("CA1", "CA2", "CA3"):
        await tracker.handle(CallQueued(call_id=sid, queue="locatel"))
        now[0] += timedelta(seconds=10)
    snapshot = published.last()
    assert (snapshot.transport, snapshot.source, snapshot.waiting) == ("twilio", "twilio", 3)
    assert [(c.call_id, c.caller, c.position) for c in snapshot.callers][:2] == [
        ("CA1", "+525511111111", 1),
        ("CA2", "+525522222222", 2),
    ]
    await tracker.handle(CallConnected(call_id="CA1", queue="locatel", agent="+525599999999"))
    snapshot = published.last()
    assert [c.call_id for c in snapshot.callers] == ["CA2", "CA3"]
    assert [(m.agent, m.state) for m in snapshot.members] == [("+525599999999", "in_use")]
    assert snapshot.longest_wait_seconds == 20.0  # CA2, queued at T0 + 10 s, now T0 + 30 s
    await tracker.handle(CallAbandoned(call_id="CA2", queue="locatel"))
    await tracker.handle(CallEnded(call_id="CA3"))
    await tracker.handle(CallEnded(call_id="CA1"))
    snapshot = published.last()
    assert (snapshot.waiting, snapshot.callers, snapshot.members) == (0, [], [])


async def test_it_follows_the_bus_and_republishes_as_waits_grow() -> None:
    bus, published = InProcessBus(), Published()
    tracker = TwilioQueueTracker(bus=bus, notifier=published, interval=0.05)
    await tracker.start()
    try:
        await bus.publish(CallStarted(call_id="CA1", transport="twilio"))
        await bus.publish(CallQueued(call_id="CA1", queue="locatel"))
        await asyncio.sleep(0.2)
    finally:
        await tracker.stop()
    snapshots = [e for e in published.events if isinstance(e, QueueSnapshot)]
    assert len(snapshots) >= 3
    waits = [s.callers[0].wait_seconds for s in snapshots]
    assert waits == sorted(waits) and waits[-1] > waits[0]

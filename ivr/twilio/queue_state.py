"""Live state of the Twilio queues, from the app's own call events (Twilio reports no queue
events): a Twilio call that is queued waits until it is connected, abandoned or ends; the
agent it is connected to is ``in_use`` until the call ends. Twilio queues have no members of
their own: the members listed are the agents signed in through the console (their presence,
:mod:`models.agent_presence`, loaded at start and followed by its ``AgentStateChanged``
events), and any other agent while on a call from that queue. Published as the
same ``QueueSnapshot`` as Asterisk's, on each change and every ``interval`` seconds (waits
grow)::

    tracker = TwilioQueueTracker(bus=bus, notifier=notifier, interval=5)
    await tracker.start()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from ivr.flow.ports import EventPublisher
from ivr.queue_state import LiveQueue, Member
from models.agent_presence import Presence, shown
from models.bus import EventBus
from models.consumer import BackgroundConsumer
from models.events import (
    AgentStateChanged,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallQueued,
    CallStarted,
    Event,
)

SOURCE = "twilio"


def _now() -> datetime:
    return datetime.now(UTC)


class TwilioQueueTracker(BackgroundConsumer):
    """Follows Twilio calls through their queues and publishes each queue's state."""

    def __init__(
        self,
        *,
        bus: EventBus,
        notifier: EventPublisher,
        interval: float,
        clock: Callable[[], datetime] = _now,
        presence: Presence | None = None,
    ) -> None:
        super().__init__(bus=bus)
        self._notifier, self._interval, self._clock = notifier, interval, clock
        self._presence = presence
        self.queues: dict[str, LiveQueue] = {}
        self._calls: dict[str, str] = {}  # Twilio call id → caller number
        self._agents: dict[str, tuple[str, str]] = {}  # call id → (queue, agent)
        self._present: set[str] = set()  # agents listed from their presence
        self._ticker: asyncio.Task[None] | None = None

    def _queue(self, name: str) -> LiveQueue:
        return self.queues.setdefault(name, LiveQueue(name, transport="twilio", source=SOURCE))

    def present(self, event: AgentStateChanged) -> bool:
        """A console agent's presence changed: list (or drop) the agent as its queue's member."""
        live = self._queue(event.queue)
        if event.state == "logged_out":
            self._present.discard(event.agent)
            return live.remove_member(event.agent)
        self._present.add(event.agent)
        member = Member(event.agent, "", event.state, event.reason, event.occurred_at)
        return live.set_member(member)

    async def handle(self, event: Event) -> None:
        """Apply a presence change or one call event of a Twilio call; publish the queues it
        changed."""
        if isinstance(event, AgentStateChanged):
            if event.source == SOURCE and event.queue and self.present(event):
                await self._notifier.publish(self.queues[event.queue].snapshot(self._clock()))
            return
        if isinstance(event, CallStarted):
            if event.transport == "twilio":
                self._calls[event.call_id] = event.caller
            return
        call_id = getattr(event, "call_id", None)
        if call_id not in self._calls:
            return
        for queue in self.apply(event):
            await self._notifier.publish(self.queues[queue].snapshot(self._clock()))

    def apply(self, event: Event) -> set[str]:
        """The state change an event of a known Twilio call makes; the queues it changed."""
        now, changed = self._clock(), set()
        if isinstance(event, CallQueued):
            live = self._queue(event.queue)
            if live.join(event.call_id, caller=self._calls[event.call_id], since=now):
                changed.add(event.queue)
        if isinstance(event, CallConnected | CallAbandoned | CallEnded):
            changed |= {q.name for q in self.queues.values() if q.leave(event.call_id)}
        if (
            isinstance(event, CallConnected)
            and event.queue in self.queues
            and event.agent not in self._present
        ):
            self._agents[event.call_id] = (event.queue, event.agent)
            self.queues[event.queue].set_member(Member(event.agent, "", "in_use", "", now))
            changed.add(event.queue)
        if isinstance(event, CallEnded):
            self._calls.pop(event.call_id, None)
            queue, agent = self._agents.pop(event.call_id, ("", ""))
            if queue and self.queues[queue].remove_member(agent):
                changed.add(queue)
        return changed

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            now = self._clock()
            for live in list(self.queues.values()):
                await self._notifier.publish(live.snapshot(now))

    async def start(self) -> None:
        """List the signed-in agents, follow the bus and publish every ``interval`` seconds."""
        for row in await self._presence.signed_in() if self._presence is not None else []:
            state, reason = shown(row)
            self.present(
                AgentStateChanged(
                    agent=row.agent,
                    queue=row.queue,
                    state=state,
                    reason=reason,
                    occurred_at=row.since,
                )
            )
        await super().start()
        self._ticker = asyncio.create_task(self._tick(), name="twilio-queue-ticker")

    async def stop(self) -> None:
        """Stop both tasks."""
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        await super().stop()

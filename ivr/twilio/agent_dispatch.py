"""Twilio agents: their queue actions, and putting the next caller through to them.

Twilio keeps the callers' queue but has no agents, so the service is their telephony side:
:class:`TwilioAgents` changes an agent's presence (:mod:`models.agent_presence`) and publishes
what changed, as Asterisk reports its members. :class:`AgentDispatcher` (worker role) follows
the Twilio queues' snapshots; while it holds the ``agent-dispatch`` lease, for each caller not
yet matched it marks an available agent ``ringing`` and has Twilio ring the agent's own phone
or SIP address (``dial_next``), whose answered leg takes the front caller. Every worker applies
the call events to the presence (the first to change a row publishes it): put through →
``in_use``; the call over, or the ring failed or ended unanswered → free again; the caller
stays queued for the next agent::

    agents = TwilioAgents(presence=Presence(engine=engine, rest=rest), notifier=notifier)
    await agents.pause("+525512345678", reason="Comida")
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ivr.flow.ports import EventPublisher
from ivr.telephony import Telephony
from models.agent_presence import Presence
from models.bus import EventBus
from models.commands import CommandError
from models.consumer import BackgroundConsumer
from models.db_types import utcnow
from models.events import AgentStateChanged, CallConnected, CallEnded, Event, QueueSnapshot
from models.periodic import Leases

log = logging.getLogger(__name__)

DISPATCH_LEASE = "agent-dispatch"


class TwilioAgents:
    """The queue actions of agents whose phone is reached through Twilio."""

    def __init__(self, *, presence: Presence, notifier: EventPublisher) -> None:
        self.presence, self._notifier = presence, notifier

    async def publish(self, events: Sequence[AgentStateChanged]) -> None:
        """Publish what a presence change caused."""
        for event in events:
            await self._notifier.publish(event)

    async def sign_in(self, agent: str, *, queue: str) -> None:
        """Join ``queue``, available."""
        await self.publish(await self.presence.sign_in(agent, queue=queue))

    async def sign_out(self, agent: str) -> None:
        """Leave the queue."""
        await self.publish(await self.presence.sign_out(agent))

    async def pause(self, agent: str, *, reason: str) -> None:
        """Pause with ``reason``."""
        await self.publish(await self.presence.pause(agent, reason=reason))

    async def unpause(self, agent: str) -> None:
        """Back from the pause."""
        await self.publish(await self.presence.unpause(agent))


class AgentDispatcher(BackgroundConsumer):
    """Rings an available Twilio agent for each queued caller, once across processes."""

    def __init__(
        self,
        *,
        bus: EventBus,
        agents: TwilioAgents,
        telephony: Telephony,
        leases: Leases,
        holder: str,
        ring_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(bus=bus)
        self._agents, self._presence = agents, agents.presence
        self._telephony, self._leases, self._holder = telephony, leases, holder
        self._ring = timedelta(seconds=ring_seconds)
        self._clock = clock
        self._dials: set[asyncio.Task[None]] = set()

    async def handle(self, event: Event) -> None:
        """Apply call events to the agents; match a Twilio queue's callers with agents."""
        if isinstance(event, CallConnected):
            await self._agents.publish(await self._presence.connected(event.agent, event.call_id))
        elif isinstance(event, CallEnded):
            await self._agents.publish(await self._presence.ended(event.call_id))
        elif isinstance(event, QueueSnapshot) and event.transport == "twilio":
            await self.dispatch(event.queue, waiting=event.waiting)

    async def dispatch(self, queue: str, *, waiting: int) -> list[str]:
        """Ring an agent for each of the ``waiting`` callers no agent is being rung for yet
        (lease holder only); the agents rung."""
        ttl = max(timedelta(seconds=30), self._ring)
        if not await self._leases.acquire(DISPATCH_LEASE, holder=self._holder, ttl=ttl):
            return []
        await self._agents.publish(await self._presence.release_stale(self._clock() - self._ring))
        wanted = waiting - await self._presence.ringing(queue)
        if wanted <= 0:
            return []
        rung, events = await self._presence.claim(queue, wanted)
        await self._agents.publish(events)
        for agent in rung:
            task = asyncio.create_task(self._dial(queue, agent), name=f"dial:{agent}")
            self._dials.add(task)
            task.add_done_callback(self._dials.discard)
        return rung

    async def _dial(self, queue: str, agent: str) -> None:
        try:
            call = await self._telephony.dial_next(queue, agent=agent)
        except CommandError as error:
            log.warning("could not ring agent %s for queue %s: %s", agent, queue, error.message)
        except Exception:
            log.exception("ringing agent %s for queue %s failed", agent, queue)
        else:
            await self._presence.dialled(agent, call.call_sid)
            return
        await self._agents.publish(await self._presence.ring_failed(agent))

    async def settle(self) -> None:
        """Wait for the dials under way (tests, and a clean stop)."""
        while self._dials:
            await asyncio.gather(*self._dials, return_exceptions=True)

    async def stop(self) -> None:
        """Stop following the bus, then let the dials under way finish."""
        await super().stop()
        await self.settle()

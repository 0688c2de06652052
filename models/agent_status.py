"""An agent's state as the telephony side reports it (Asterisk's queue members, the Twilio
agents' presence), followed from the bus: ``AgentStateChanged`` events and the members of
``QueueSnapshot`` events of the agent's transport (an Asterisk and a Twilio queue may share a
name). A page shows this, never what was clicked::

    status = follow(None, "PJSIP/1001", snapshot, transport="asterisk", home_queue="locatel")
    status.state, status.reason            # ('paused', 'Comida')

:class:`AgentStatusBook` keeps the latest status of every agent in a web process, so a page
knows it on load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.bus import EventBus
from models.consumer import BackgroundConsumer
from models.events import AgentStateChanged, CallTransport, Event, QueueSnapshot

STATE_LABELS = {
    "logged_out": "Fuera de la cola",
    "available": "Disponible",
    "paused": "En pausa",
    "ringing": "Timbrando",
    "in_use": "En llamada",
    "unavailable": "Teléfono no disponible",
    "unknown": "Sin datos de la central",
}


@dataclass(frozen=True)
class AgentStatus:
    """One agent's state in a queue, its pause reason, and since when (None: not known)."""

    state: str
    reason: str = ""
    queue: str = ""
    since: datetime | None = None

    @property
    def label(self) -> str:
        """The state in Spanish."""
        return STATE_LABELS.get(self.state, self.state)

    def as_json(self) -> dict[str, Any]:
        """The ``estado`` of the agent's live stream."""
        since = self.since.isoformat() if self.since is not None else None
        return {
            "state": self.state,
            "label": self.label,
            "reason": self.reason,
            "queue": self.queue,
            "since": since,
        }


UNKNOWN = AgentStatus("unknown")


def transport_of(event: AgentStateChanged | QueueSnapshot) -> CallTransport:
    """The transport an agent or queue event comes from (Twilio's presence says ``twilio``)."""
    if isinstance(event, QueueSnapshot):
        return event.transport
    return "twilio" if event.source == "twilio" else "asterisk"


def follow(
    current: AgentStatus | None,
    agent: str,
    event: Event,
    *,
    transport: CallTransport,
    home_queue: str = "",
) -> AgentStatus | None:
    """``agent``'s status after ``event``, or None when the event does not change it.

    A snapshot of the queue the agent was last seen in (or of ``home_queue`` for an agent
    never seen) that does not list the agent means the agent is out of it.
    """
    if not isinstance(event, AgentStateChanged | QueueSnapshot):
        return None
    if transport_of(event) != transport:
        return None
    if isinstance(event, AgentStateChanged):
        if event.agent != agent:
            return None
        new = AgentStatus(event.state, event.reason, event.queue, event.occurred_at)
    elif isinstance(event, QueueSnapshot):
        member = next((m for m in event.members if m.agent == agent), None)
        if member is not None:
            new = AgentStatus(member.state, member.reason, event.queue, member.since)
        elif event.queue == (current.queue if current is not None else home_queue):
            new = AgentStatus("logged_out", "", event.queue, event.occurred_at)
        else:
            return None
    if current is not None and (current.state, current.reason, current.queue) == (
        new.state,
        new.reason,
        new.queue,
    ):
        return None
    return new


class AgentStatusBook(BackgroundConsumer):
    """The latest status of every agent the bus has told about, per transport (web role)."""

    def __init__(self, *, bus: EventBus) -> None:
        super().__init__(bus=bus)
        self._statuses: dict[tuple[CallTransport, str], AgentStatus] = {}
        self._queues: set[tuple[CallTransport, str]] = set()  # queues whose snapshot was seen

    def get(self, agent: str, *, transport: CallTransport, home_queue: str) -> AgentStatus | None:
        """What is known of ``agent`` (out of ``home_queue`` when its snapshot omits the agent),
        or None before anything is known."""
        known = self._statuses.get((transport, agent))
        if known is not None:
            return known
        if (transport, home_queue) in self._queues:
            return AgentStatus("logged_out", "", home_queue)
        return None

    async def handle(self, event: Event) -> None:
        """Apply an agent or queue event to the agents it concerns."""
        if isinstance(event, AgentStateChanged):
            agents = {event.agent}
        elif isinstance(event, QueueSnapshot):
            self._queues.add((event.transport, event.queue))
            agents = {m.agent for m in event.members} | {
                agent
                for (transport, agent), status in self._statuses.items()
                if transport == event.transport and status.queue == event.queue
            }
        else:
            return
        transport = transport_of(event)
        for agent in agents:
            key = (transport, agent)
            new = follow(self._statuses.get(key), agent, event, transport=transport)
            if new is not None:
                self._statuses[key] = new

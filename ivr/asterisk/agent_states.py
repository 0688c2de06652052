"""Queue members' states from AMI events; pure state, no I/O.

A state is only published when it changes, so the ``QueueMember`` items of every
resynchronisation and repeated ``QueueMemberStatus`` events do not flood the bus::

    >>> book = AgentBook(source="asterisk:locatel")
    >>> member = {"Queue": "locatel", "Interface": "PJSIP/agente01", "Status": "1", "Paused": "0"}
    >>> [e.state for e in book.feed("QueueMemberStatus", member)]
    ['available']
    >>> book.feed("QueueMemberStatus", member)
    []
"""

from __future__ import annotations

from models.events import AgentState, AgentStateChanged, BaseEvent

Headers = dict[str, str]

# Asterisk device states (``Status:`` of queue members) → the domain's agent states.
DEVICE_STATES: dict[str, AgentState] = {
    "0": "available",  # unknown: Local channels and fresh phones report it
    "1": "available",  # not in use
    "2": "in_use",
    "3": "in_use",  # busy
    "4": "unavailable",  # invalid
    "5": "unavailable",
    "6": "ringing",
    "7": "ringing",  # ringing while in use
    "8": "in_use",  # on hold
}
MEMBER_EVENTS = ("QueueMemberStatus", "QueueMember", "QueueMemberAdded", "QueueMemberPause")


def member_agent(headers: Headers) -> str:
    """The member's interface (``Location`` in older ``QueueMember`` items)."""
    return headers.get("Interface") or headers.get("Location") or headers.get("MemberName", "")


def member_state(headers: Headers) -> tuple[AgentState, str]:
    """A member's state and pause reason from a ``QueueMember*`` event or item."""
    if headers.get("Paused") == "1":
        return "paused", headers.get("PausedReason") or headers.get("Reason", "")
    return DEVICE_STATES.get(headers.get("Status", ""), "available"), ""


class AgentBook:
    """Last known state of every (queue, member) pair."""

    wanted = frozenset({*MEMBER_EVENTS, "QueueMemberRemoved"})

    def __init__(self, *, source: str) -> None:
        self.source = source
        self.states: dict[tuple[str, str], tuple[AgentState, str]] = {}

    def feed(self, name: str, headers: Headers) -> list[BaseEvent]:
        """Apply one member event; other names are ignored."""
        if name in MEMBER_EVENTS:
            return self._set(headers, *member_state(headers))
        if name == "QueueMemberRemoved":
            return self._set(headers, "logged_out", "")
        return []

    def resync(self, items: list[Headers]) -> list[BaseEvent]:
        """Members that a ``QueueStatus`` list no longer shows left while the bridge was away.

        Only queues the list describes (its ``QueueParams`` items) are reconciled.
        """
        queues = {item.get("Queue", "") for item in items if item.get("Event") == "QueueParams"}
        present = {
            (item.get("Queue", ""), member_agent(item))
            for item in items
            if item.get("Event") == "QueueMember"
        }
        gone = [key for key in self.states if key[0] in queues and key not in present]
        return [
            event
            for queue, agent in gone
            for event in self._set({"Queue": queue, "Interface": agent}, "logged_out", "")
        ]

    def _set(self, headers: Headers, state: AgentState, reason: str) -> list[BaseEvent]:
        queue, agent = headers.get("Queue", ""), member_agent(headers)
        if not agent:
            return []
        key = (queue, agent)
        if self.states.get(key) == (state, reason):
            return []
        if state == "logged_out":
            self.states.pop(key, None)
        else:
            self.states[key] = (state, reason)
        return [
            AgentStateChanged(
                agent=agent, queue=queue, state=state, reason=reason, source=self.source
            )
        ]

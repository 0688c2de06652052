"""One queue's live state, the same for Asterisk and Twilio: who waits since when, which
agents are in it, in what state since when; pure state, no I/O::

    queue = LiveQueue("locatel", transport="twilio", source="twilio")
    queue.join("CA1", caller="+525512345678", since=now)
    queue.snapshot(now).waiting      # 1
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from models.events import AgentState, CallTransport, QueuedCaller, QueueMember, QueueSnapshot


@dataclass(frozen=True)
class Caller:
    """A waiting caller; ``key`` is how the transport names the queue entry."""

    key: str
    call_id: str
    caller: str
    since: datetime


@dataclass(frozen=True)
class Member:
    """An agent in the queue."""

    agent: str
    name: str
    state: AgentState
    reason: str
    since: datetime


def _keep_since(known: Member | None, member: Member) -> Member:
    if known is not None and (known.state, known.reason) == (member.state, member.reason):
        return replace(member, since=known.since)
    return member


class LiveQueue:
    """Callers in arrival order and members by agent; every change says whether it changed."""

    def __init__(self, name: str, *, transport: CallTransport, source: str) -> None:
        self.name, self.transport, self.source = name, transport, source
        self.callers: dict[str, Caller] = {}
        self.members: dict[str, Member] = {}

    def join(self, key: str, *, caller: str, since: datetime, call_id: str = "") -> bool:
        """A caller started waiting."""
        if key in self.callers:
            return False
        self.callers[key] = Caller(key=key, call_id=call_id or key, caller=caller, since=since)
        return True

    def leave(self, key: str) -> bool:
        """A caller stopped waiting (answered, abandoned, hung up)."""
        return self.callers.pop(key, None) is not None

    def set_member(self, member: Member) -> bool:
        """An agent's state; ``since`` is kept while the state and reason stay the same."""
        member = _keep_since(self.members.get(member.agent), member)
        if self.members.get(member.agent) == member:
            return False
        self.members[member.agent] = member
        return True

    def remove_member(self, agent: str) -> bool:
        """An agent left the queue."""
        return self.members.pop(agent, None) is not None

    def reconcile(self, callers: list[Caller], members: list[Member]) -> None:
        """Replace everything with what the PBX reports now, keeping the times already known."""
        self.callers = {c.key: self.callers.get(c.key, c) for c in callers}
        previous = self.members
        self.members = {m.agent: _keep_since(previous.get(m.agent), m) for m in members}

    def snapshot(self, now: datetime) -> QueueSnapshot:
        """The queue as an event."""
        callers = [
            QueuedCaller(
                call_id=c.call_id,
                caller=c.caller,
                position=position,
                since=c.since,
                wait_seconds=max(0.0, (now - c.since).total_seconds()),
            )
            for position, c in enumerate(self.callers.values(), start=1)
        ]
        members = [
            QueueMember(
                agent=m.agent,
                name=m.name,
                state=m.state,
                reason=m.reason,
                since=m.since,
                seconds_in_state=max(0.0, (now - m.since).total_seconds()),
            )
            for m in self.members.values()
        ]
        return QueueSnapshot(
            queue=self.name,
            transport=self.transport,
            waiting=len(callers),
            available_agents=sum(1 for m in members if m.state == "available"),
            logged_in_agents=len(members),
            longest_wait_seconds=max((c.wait_seconds for c in callers), default=0.0),
            callers=callers,
            members=members,
            occurred_at=now,
            source=self.source,
        )

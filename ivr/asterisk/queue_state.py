"""Live state of an Asterisk server's queues, from AMI events, corrected by ``QueueStatus``.

Events keep it current between corrections (a caller joins or leaves, a member is added,
paused, rings, is removed); each ``QueueStatus`` list replaces it with what Asterisk reports,
keeping the times already known; the ``QueueSummary`` that follows names every queue, and each
is then published. Pure state, no I/O::

    board = QueueBoard(source="asterisk:locatel")
    board.feed({"Event": "QueueCallerJoin", "Queue": "locatel", "Uniqueid": "1.1", ...})
    # {'locatel'}: the queues that changed
    board.snapshot("locatel")     # a QueueSnapshot with callers and members
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ivr.asterisk.agent_states import MEMBER_EVENTS, member_agent, member_state
from ivr.queue_state import Caller, LiveQueue, Member
from models.events import QueueSnapshot

Headers = dict[str, str]
# A caller leaves the queue on any of these (``AgentConnect`` and ``Hangup`` cover a missed
# ``QueueCallerLeave``).
CALLER_EVENTS = ("QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon", "AgentConnect")


def _now() -> datetime:
    return datetime.now(UTC)


def _seconds(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


class QueueBoard:
    """Every queue of one server."""

    wanted = frozenset({*CALLER_EVENTS, *MEMBER_EVENTS, "QueueMemberRemoved", "Hangup"})

    def __init__(self, *, source: str, clock: Callable[[], datetime] = _now) -> None:
        self.source, self._clock = source, clock
        self.queues: dict[str, LiveQueue] = {}

    def _queue(self, name: str) -> LiveQueue:
        if name not in self.queues:
            self.queues[name] = LiveQueue(name, transport="asterisk", source=self.source)
        return self.queues[name]

    def feed(self, headers: Headers) -> set[str]:
        """Apply one AMI event; the names of the queues it changed."""
        name, queue = headers.get("Event", ""), headers.get("Queue", "")
        if name == "Hangup":
            key = headers.get("Uniqueid", "")
            return {q.name for q in self.queues.values() if q.leave(key)}
        if not queue or name not in self.wanted:
            return set()
        live = self._queue(queue)
        if name == "QueueCallerJoin":
            changed = live.join(
                headers.get("Uniqueid", ""),
                call_id=headers.get("Linkedid", ""),
                caller=headers.get("CallerIDNum", ""),
                since=self._clock(),
            )
        elif name in CALLER_EVENTS:
            changed = live.leave(headers.get("Uniqueid", ""))
        elif name == "QueueMemberRemoved":
            changed = live.remove_member(member_agent(headers))
        else:
            changed = live.set_member(self._member(headers, self._clock()))
        return {queue} if changed else set()

    @staticmethod
    def _member(headers: Headers, since: datetime) -> Member:
        state, reason = member_state(headers)
        return Member(member_agent(headers), headers.get("MemberName", ""), state, reason, since)

    def apply_status(self, items: list[Headers]) -> None:
        """Replace the queues a ``QueueStatus`` list describes with what it reports."""
        now = self._clock()
        callers: dict[str, list[Caller]] = {}
        members: dict[str, list[Member]] = {}
        entries = sorted(
            (i for i in items if i.get("Event") == "QueueEntry"),
            key=lambda i: _seconds(i.get("Position")),
        )
        for item in entries:
            wait = timedelta(seconds=_seconds(item.get("Wait")))
            key = item.get("Uniqueid", "")
            callers.setdefault(item.get("Queue", ""), []).append(
                Caller(key, item.get("Linkedid") or key, item.get("CallerIDNum", ""), now - wait)
            )
        for item in items:
            if item.get("Event") == "QueueMember":
                members.setdefault(item.get("Queue", ""), []).append(self._member(item, now))
        for item in items:
            if item.get("Event") == "QueueParams":
                queue = item.get("Queue", "")
                self._queue(queue).reconcile(callers.get(queue, []), members.get(queue, []))

    def apply_summary(self, items: list[Headers]) -> list[QueueSnapshot]:
        """After a ``QueueSummary`` list: every queue it names (and every known one), now."""
        for item in items:
            if item.get("Queue"):
                self._queue(item["Queue"])
        now = self._clock()
        return [live.snapshot(now) for live in self.queues.values()]

    def snapshot(self, queue: str) -> QueueSnapshot:
        """One queue as it stands."""
        return self._queue(queue).snapshot(self._clock())

"""The calls of one Asterisk server as the call tracker folds them: each call's legs and
facts, and the events that start and end it; pure state, no I/O.

A call is identified by its ``Linkedid``: every leg (trunk, IVR, queue, agent's phone,
Local-channel halves) carries it, so all legs of one call fold into one :class:`TrackedCall`;
an ended call is remembered, so its late events change nothing. The AMI events' meaning is
:class:`ivr.asterisk.call_tracker.CallTracker`'s, built on this book.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ivr.asterisk import constants as names
from ivr.phones import to_e164
from models.calls import CallStatus
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallEnded,
    CallLeftQueue,
    CallStarted,
    EndedBy,
    QueueExitReason,
)

Headers = dict[str, str]
UNKNOWN = {"", "<unknown>", "unknown"}
ENDED_MEMORY = 50_000
SHUTDOWN_CAUSE = "shutdown"  # a call's end cause when Asterisk stopping hung it up


@dataclass
class TrackedCall:
    call_id: str
    started: float = field(default_factory=time.monotonic)
    caller: str = ""
    called: str = ""
    announced: bool = False
    channels: set[str] = field(default_factory=set)
    queue: str = ""
    position: int | None = None
    joined_at: datetime | None = None  # when it joined the queue (wall clock)
    in_ivr: bool = False
    back_in_ivr: bool = False  # taken from the queue into the IVR's status reading
    connected: bool = False
    abandoned: bool = False
    left_queue: CallAbandoned | None = None  # QueueCallerAbandon, an abandon or another exit
    queue_leg: str = ""  # the Uniqueid of the leg that was in the queue
    exit_settled: bool = False
    on_hold: bool = False
    shut_down: bool = False  # hung up by Asterisk stopping, not by anyone on the call
    recording: str = ""
    cause: str = ""
    ended_by: EndedBy = ""


def header_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def chan_var(headers: Headers, name: str) -> str:
    """A channel variable's value among ``ChanVariable`` lines (manager.conf ``channelvars``)."""
    values: str | list[str] = headers.get("ChanVariable", "")  # a list when several
    for value in values if isinstance(values, list) else [values]:
        key, _, found = str(value).partition("=")
        if key == name:
            return found
    return ""


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_spy_channel(uniqueid: str) -> bool:
    """A supervisor's listening channel: no call of its own (its hang-up is ``SpyEnded``)."""
    return uniqueid.startswith(names.SPY_CHANNEL_PREFIX)


def held_seconds(headers: Headers) -> float | None:
    """Seconds the caller waited in the queue (``HoldTime``), when Asterisk says."""
    hold = header_int(headers.get("HoldTime"))
    return float(hold) if hold is not None else None


class CallBook:
    """Calls in progress by Linkedid, their legs by Uniqueid, and the ended ones."""

    def __init__(self, *, source: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.source, self._clock = source, clock
        self._calls: dict[str, TrackedCall] = {}
        self._channels: dict[str, str] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()

    @property
    def active_calls(self) -> set[str]:
        """Linkedids of the calls in progress."""
        return set(self._calls)

    def _settle_exit(self, call: TrackedCall, status: str) -> list[BaseEvent]:
        """Asterisk raises ``QueueCallerAbandon`` for time-outs, empty-queue exits and
        withdrawals too; a ``QUEUESTATUS`` naming one of them makes it that exit, and the
        queued leg hanging up without one makes it an abandon."""
        left = call.left_queue
        if left is None or call.exit_settled:
            return []
        if call.shut_down:  # Asterisk reports its own shutdown as abandons: no caller left
            call.exit_settled = True
            return []
        return self._left(call, left, names.QUEUE_EXITS.get(status))

    def _left(
        self, call: TrackedCall, left: CallAbandoned, reason: QueueExitReason | None
    ) -> list[BaseEvent]:
        """The pending exit settled: an abandon (no reason) or the exit ``reason`` names."""
        call.exit_settled = True
        if reason is None:
            call.abandoned = True
            return [left]
        exit_ = CallLeftQueue(
            call_id=call.call_id,
            queue=left.queue,
            reason=reason,
            position=left.position,
            wait_seconds=left.wait_seconds,
            occurred_at=left.occurred_at,
            source=self.source,
        )
        return [exit_]

    def _call(self, headers: Headers, prefix: str = "") -> TrackedCall | None:
        """The call an event belongs to, created on first sight; None once it has ended."""
        uniqueid = headers.get(f"{prefix}Uniqueid", "")
        linkedid = headers.get(f"{prefix}Linkedid") or self._channels.get(uniqueid, "")
        if not linkedid or linkedid in self._ended or is_spy_channel(linkedid):
            return None
        call = self._calls.get(linkedid)
        if call is None:
            call = self._calls[linkedid] = TrackedCall(call_id=linkedid)
        if uniqueid and uniqueid not in self._channels:
            self._channels[uniqueid] = linkedid
            call.channels.add(uniqueid)
        number = headers.get(f"{prefix}CallerIDNum", "")
        if not call.caller and number not in UNKNOWN:
            call.caller = number
        if not call.called and uniqueid == linkedid:
            call.called = headers.get(f"{prefix}Exten", "")
        return call

    def _announce(self, call: TrackedCall, events: list[BaseEvent], *, force: bool = True) -> None:
        if call.announced or not (force or call.caller):
            return
        call.announced = True
        events.append(
            CallStarted(
                call_id=call.call_id,
                transport="asterisk",
                caller=to_e164(call.caller),
                called=call.called,
                source=self.source,
            )
        )

    def _events(self, call: TrackedCall | None, *events: BaseEvent) -> list[BaseEvent]:
        if call is None:
            return []
        out: list[BaseEvent] = []
        self._announce(call, out)
        out.extend(events)
        return out

    def _forget(self, call: TrackedCall) -> None:
        """No more of this call: its later events change nothing."""
        self._calls.pop(call.call_id, None)
        for uniqueid in call.channels:
            self._channels.pop(uniqueid, None)
        self._ended[call.call_id] = None
        while len(self._ended) > ENDED_MEMORY:
            self._ended.popitem(last=False)

    @staticmethod
    def _status(call: TrackedCall) -> str:
        """How the call ended, in the call records' words (``CallStatus``)."""
        if call.connected:
            return CallStatus.ANSWERED.value
        if call.shut_down:
            return CallStatus.LOST.value  # cut by Asterisk stopping, before any agent
        if call.abandoned:
            return CallStatus.ABANDONED.value
        if call.in_ivr and (not call.queue or call.back_in_ivr):
            return CallStatus.IVR.value  # the IVR served it to the end, with no agent
        return CallStatus.UNANSWERED.value

    def _end(self, call: TrackedCall, cause: str, status: str | None = None) -> list[BaseEvent]:
        settled = self._settle_exit(call, "")  # never saw the queued leg go: an abandon
        self._forget(call)
        ended = CallEnded(
            call_id=call.call_id,
            cause=SHUTDOWN_CAUSE if call.shut_down else cause,
            duration_seconds=round(time.monotonic() - call.started, 3),
            status=status or self._status(call),
            ended_by=call.ended_by,
            source=self.source,
        )
        return self._events(call, *settled, ended)

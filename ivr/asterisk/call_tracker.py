"""Turns AMI events into the domain's typed events; pure state, no I/O.

Each event folds into its call in the :class:`~ivr.asterisk.call_book.CallBook` (by
``Linkedid``). Unknown events are ignored; events of an ended call, duplicates and replays
change nothing, so out-of-order input cannot resurrect or double-count a call::

    >>> tracker = CallTracker(source="asterisk:locatel")
    >>> [e.type for e in tracker.feed({"Event": "Newchannel", "Uniqueid": "1.1",
    ...     "Linkedid": "1.1", "CallerIDNum": "5512345678", "Exten": "0311"})]
    ['call.started']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from ivr.asterisk import constants as names
from ivr.asterisk.agent_states import AgentBook
from ivr.asterisk.call_book import (
    CallBook,
    Headers,
    TrackedCall,
    chan_var,
    header_int,
    held_seconds,
    is_spy_channel,
    utc_now,
)
from models.calls import CallStatus
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallAgentRinging,
    CallConnected,
    CallHeld,
    CallIvrStep,
    CallQueued,
    CallRecordingStarted,
    CallTransferred,
    EndedBy,
    SpyEnded,
)

_CHANNEL_SUFFIX = re.compile(r"-[0-9a-f]{8}(;\d)?$")  # "PJSIP/1001-0000002a" → "PJSIP/1001"
# AgentComplete's Reason: which side ended the agent's conversation ("transfer" ends no call)
HUNG_UP_BY: dict[str, EndedBy] = {"caller": "caller", "agent": "agent"}
SPY_APPLICATIONS = frozenset({"ChanSpy", "ExtenSpy"})  # a supervisor listening, no citizen
# SoftHangupRequest's Cause when Asterisk stops (``core stop``/``restart``) and hangs every
# channel up: AST_SOFTHANGUP_SHUTDOWN; an explicit hang-up carries a Q.850 cause instead
SHUTDOWN_REQUEST = "4"


def _duration(value: str | None) -> int | None:
    """Seconds of a ``CoreShowChannel`` ``Duration`` (``HH:MM:SS``)."""
    try:
        hours, minutes, seconds = (int(part) for part in (value or "").split(":"))
    except ValueError:
        return None
    return hours * 3600 + minutes * 60 + seconds


class CallTracker(CallBook):
    """The bridge's view of one Asterisk server's calls and agents."""

    def __init__(self, *, source: str, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(source=source, clock=clock)
        self.seq = 0
        self.agents = AgentBook(source=source)
        self._handlers: dict[str, Callable[[Headers], list[BaseEvent]]] = {
            "Newchannel": self._on_channel,
            "NewCallerid": self._on_channel,
            "Newexten": self._on_exten,
            "AGIExecStart": self._on_exten,  # what a user without the dialplan class sees
            "QueueCallerJoin": self._on_queue_join,
            "QueueEntry": self._on_queue_join,
            "AgentCalled": self._on_agent_called,
            "AgentRingNoAnswer": self._on_agent_no_answer,
            "AgentConnect": self._on_agent_connect,
            "AgentComplete": self._on_agent_complete,
            "QueueCallerAbandon": self._on_abandon,
            "Hold": self._on_hold,
            "Unhold": self._on_hold,
            "BlindTransfer": self._on_transfer,
            "AttendedTransfer": self._on_transfer,
            "Hangup": self._on_hangup,
            "SoftHangupRequest": self._on_hangup_request,
            "ChanSpyStart": self._on_spy_start,
        }

    @property
    def wanted(self) -> frozenset[str]:
        """The AMI events this tracker reads; the adapter drops the rest unparsed."""
        return frozenset(self._handlers) | self.agents.wanted

    def feed(self, headers: Headers) -> list[BaseEvent]:
        """Apply one AMI event; return the domain events it causes (often none)."""
        self.seq += 1
        name = headers.get("Event", "")
        handler = self._handlers.get(name)
        if handler is None:
            return self.agents.feed(name, headers)
        if "ChanVariable" not in headers:
            return handler(headers)
        if name == "Hangup":  # read the leg's variables while its call is still there
            return self._variables(headers) + handler(headers)
        return handler(headers) + self._variables(headers)

    def _variables(self, headers: Headers) -> list[BaseEvent]:
        """What the ``ChanVariable`` lines tell of the leg's call, already known: they never
        add the leg to it (a hang-up's own lines would bring the leg back, and its call would
        never end)."""
        uniqueid = headers.get("Uniqueid", "")
        linkedid = headers.get("Linkedid") or self._channels.get(uniqueid, "")
        call = self._calls.get(linkedid)
        if call is None:
            return []
        return self._recording(call, headers) + self._queue_status(call, headers)

    def _queue_status(self, call: TrackedCall, headers: Headers) -> list[BaseEvent]:
        """``ChanVariable: QUEUESTATUS=…`` once Queue() returned: a pending exit is settled."""
        status = chan_var(headers, names.VAR_QUEUE_STATUS)
        return self._settle_exit(call, status) if status else []

    def _recording(self, call: TrackedCall, headers: Headers) -> list[BaseEvent]:
        """``ChanVariable: SUAC_GRABACION=…`` (manager.conf ``channelvars``): the recording."""
        path = chan_var(headers, names.VAR_RECORDING)
        if not path or call.recording == path:
            return []
        call.recording = path
        started = CallRecordingStarted(call_id=call.call_id, path=path, source=self.source)
        return self._events(call, started)

    # --- calls -----------------------------------------------------------------------------

    def _on_channel(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        out: list[BaseEvent] = []
        if call is not None:
            self._announce(call, out, force=False)
        return out

    def _on_exten(self, headers: Headers) -> list[BaseEvent]:
        if headers.get("Application") in SPY_APPLICATIONS:
            return self._spy_leg(headers)
        call = self._call(headers)
        if call is None:
            return []
        out = self._to_status_reading(call, headers)
        entering = headers.get("Event") == "AGIExecStart" or headers.get("Application") == "AGI"
        if call.in_ivr or not entering:
            self._announce(call, out, force=False)
            return out
        call.in_ivr = True
        step = CallIvrStep(call_id=call.call_id, step="ivr", source=self.source)
        return self._events(call, *out, step)

    def _to_status_reading(self, call: TrackedCall, headers: Headers) -> list[BaseEvent]:
        """The queued leg sent on to the IVR's status reading (AMI ``Redirect``): Asterisk
        reports that as ``QueueCallerAbandon``, but the caller was taken out on purpose."""
        left = call.left_queue
        if headers.get("Context") != names.CONTEXT_STATUS or left is None or call.exit_settled:
            return []
        if headers.get("Uniqueid") != call.queue_leg:
            return []
        call.back_in_ivr = True
        return self._left(call, left, "left")

    def _spy_leg(self, headers: Headers, prefix: str = "") -> list[BaseEvent]:
        """A leg that runs ChanSpy is a supervisor listening, not a citizen's call: a call it
        started is forgotten (our own ``Originate`` is known by its Uniqueid already); one
        announced before the application showed it ends as ``spy``."""
        uniqueid = headers.get(f"{prefix}Uniqueid", "")
        linkedid = headers.get(f"{prefix}Linkedid") or self._channels.get(uniqueid, "")
        call = self._calls.get(linkedid)
        if call is None or uniqueid != linkedid or call.queue or call.in_ivr:
            return []
        if not call.announced:
            self._forget(call)
            return []
        return self._end(call, "", CallStatus.SPY.value)

    def _on_spy_start(self, headers: Headers) -> list[BaseEvent]:
        return self._spy_leg(headers, "Spyer")

    def _on_queue_join(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        queue, position = headers.get("Queue", ""), header_int(headers.get("Position"))
        if call is None or (call.queue == queue and call.position == position) or call.connected:
            return []
        if call.joined_at is None:  # a QueueEntry of a resync says how long it has waited
            call.joined_at = self._clock() - timedelta(seconds=header_int(headers.get("Wait")) or 0)
        call.queue, call.position = queue, position
        src = self.source
        joined = CallQueued(call_id=call.call_id, queue=queue, position=position, source=src)
        return self._events(call, joined)

    def _member(self, headers: Headers) -> str:
        return headers.get("Interface") or headers.get("MemberName", "")

    def _on_agent_called(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        if call is None or call.connected:
            return []
        return self._events(call, self._ringing(call, headers, None))

    def _on_agent_no_answer(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        if call is None or call.connected:
            return []
        return self._events(call, self._ringing(call, headers, False))

    def _ringing(
        self, call: TrackedCall, headers: Headers, answered: bool | None
    ) -> CallAgentRinging:
        return CallAgentRinging(
            call_id=call.call_id,
            queue=headers.get("Queue", call.queue),
            agent=self._member(headers),
            answered=answered,
            source=self.source,
        )

    def _on_agent_connect(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        if call is None or call.connected:
            return []
        call.connected = True
        return self._events(
            call,
            CallConnected(
                call_id=call.call_id,
                queue=headers.get("Queue", call.queue),
                agent=self._member(headers),
                wait_seconds=held_seconds(headers),
                source=self.source,
            ),
        )

    def _on_agent_complete(self, headers: Headers) -> list[BaseEvent]:
        """Remember who hung up on the agent; the call ends with its last leg."""
        call = self._call(headers)
        if call is not None and not call.ended_by:
            call.ended_by = HUNG_UP_BY.get(headers.get("Reason", ""), "")
        return []

    def _on_abandon(self, headers: Headers) -> list[BaseEvent]:
        """Kept until the queued leg hangs up or shows Queue()'s result (``_settle_exit``)."""
        call = self._call(headers)
        if call is None or call.left_queue is not None or call.connected:
            return []
        call.left_queue = CallAbandoned(
            call_id=call.call_id,
            queue=headers.get("Queue", call.queue),
            position=header_int(headers.get("OriginalPosition") or headers.get("Position")),
            wait_seconds=held_seconds(headers),
            source=self.source,
        )
        call.queue_leg = headers.get("Uniqueid", "")
        return self._events(call)

    def _on_hold(self, headers: Headers) -> list[BaseEvent]:
        call = self._call(headers)
        on_hold = headers.get("Event") == "Hold"
        if call is None or call.on_hold == on_hold:
            return []
        call.on_hold = on_hold
        return self._events(
            call, CallHeld(call_id=call.call_id, on_hold=on_hold, source=self.source)
        )

    def _on_transfer(self, headers: Headers) -> list[BaseEvent]:
        if headers.get("Result", "Success") != "Success":  # Fail, Invalid, Not Permitted
            return []
        call = None
        for prefix in ("Transferee", "Transferer", "OrigTransferer"):  # the last: attended
            if call is None and headers.get(f"{prefix}Uniqueid"):
                call = self._call(headers, prefix)
        if call is None:
            return []
        if headers.get("Event") == "BlindTransfer":
            target = f"{headers.get('Extension', '')}@{headers.get('Context', '')}"
        else:
            target = headers.get("TransferTargetChannel") or headers.get("DestApp", "")
        return self._events(
            call, CallTransferred(call_id=call.call_id, target=target, source=self.source)
        )

    def _on_hangup_request(self, headers: Headers) -> list[BaseEvent]:
        """Asterisk stopping hangs every call up and reports a queued caller's as an abandon
        (``QueueCallerAbandon``): such a call is lost, not abandoned."""
        if headers.get("Cause") != SHUTDOWN_REQUEST:
            return []
        linkedid = headers.get("Linkedid") or self._channels.get(headers.get("Uniqueid", ""), "")
        call = self._calls.get(linkedid)
        if call is not None:
            call.shut_down = True
        return []

    def _on_hangup(self, headers: Headers) -> list[BaseEvent]:
        uniqueid = headers.get("Uniqueid", "")
        if is_spy_channel(uniqueid):
            cause = headers.get("Cause-txt") or headers.get("Cause", "")
            return [SpyEnded(channel_id=uniqueid, cause=cause, source=self.source)]
        linkedid = headers.get("Linkedid") or self._channels.get(uniqueid, "")
        call = self._calls.get(linkedid)
        if call is None or uniqueid not in call.channels:
            return []
        self._channels.pop(uniqueid, None)
        call.channels.discard(uniqueid)
        if uniqueid == call.call_id or not call.cause:
            call.cause = headers.get("Cause-txt") or headers.get("Cause", "")
        out: list[BaseEvent] = []
        if uniqueid == call.queue_leg:
            out = self._settle_exit(call, chan_var(headers, names.VAR_QUEUE_STATUS))
        if call.channels:
            return out
        return out + self._end(call, call.cause)

    # --- resynchronisation -----------------------------------------------------------------

    def _answered_while_away(self, item: Headers, waits: dict[str, int]) -> list[BaseEvent]:
        """An agent's leg (``AppQueue``) in a bridge: the call was answered while we were away."""
        call = self._call(item)
        if call is None or call.connected:
            return []
        if item.get("Application") != "AppQueue" or not item.get("BridgeId"):
            return []
        call.connected = True
        wait = waits.get(call.call_id)
        answered = CallConnected(
            call_id=call.call_id,
            queue=call.queue,
            agent=_CHANNEL_SUFFIX.sub("", item.get("Channel", "")),  # the member's interface
            wait_seconds=float(wait) if wait is not None else None,
            occurred_at=self._answered_at(call, item, wait),
            source=self.source,
        )
        return self._events(call, answered)

    def _answered_at(self, call: TrackedCall, agent_leg: Headers, wait: int | None) -> datetime:
        """When an agent answered while the link was down, from Asterisk's own figures: the
        queue join plus ``QUEUEWAIT`` (Queue() sets it at the answer); else the agent's leg's
        creation (its ``Duration``): Asterisk creates it when it rings the member, so it is
        early by the ring at most, never late by the time the link was down."""
        if call.joined_at is not None and wait is not None:
            return call.joined_at + timedelta(seconds=wait)
        ringing = _duration(agent_leg.get("Duration"))
        return self._clock() - timedelta(seconds=ringing or 0)

    def resync_channels(self, items: list[Headers]) -> list[BaseEvent]:
        """Reconcile with a ``CoreShowChannels`` list, applied at its place in the stream.

        Calls in the list that are new are started; a queued call whose agent leg is already
        bridged was answered meanwhile; legs and calls missing from it ended while the bridge
        was away.
        """
        out: list[BaseEvent] = []
        present: set[str] = set()
        for item in items:
            call = self._call(item)
            if call is not None:
                present.add(item.get("Uniqueid", ""))
                self._announce(call, out)
                if item.get("Application") == "Queue" and not call.queue:
                    call.queue = item.get("ApplicationData", "").split(",", 1)[0]
        waits = {  # QUEUEWAIT (manager.conf channelvars) on the callers' legs Queue() answered
            item.get("Linkedid", ""): wait
            for item in items
            if (wait := header_int(chan_var(item, names.VAR_QUEUE_WAIT))) is not None
        }
        for item in items:
            out += self._answered_while_away(item, waits)
        for call in list(self._calls.values()):
            for uniqueid in call.channels - present:
                call.channels.discard(uniqueid)
                self._channels.pop(uniqueid, None)
            if not call.channels:
                out += self._end(call, "resync", names.STATUS_LOST)
        return out

"""How each call event changes a call record: pure, and the same for every transport.

Facts are kept the first time they are seen (arrival, queue join, answer, end), counters are
moved once per event id, and the derived fields (status, IVR outcome, who hung up) are settled
from the facts after every event, so duplicates, replays and late events change nothing::

    >>> record = CallRecord(call_id="CA1", transport="")
    >>> apply_event(record, CallQueued(call_id="CA1", queue="locatel", position=2))
    True
    >>> (record.status, record.queue_position)
    ('queued', 2)
"""

from __future__ import annotations

from datetime import datetime

from models.calls import CallRecord, CallStatus, IvrOutcome
from models.events import (
    IVR_ENTRY,
    BaseEvent,
    CallAbandoned,
    CallAgentRinging,
    CallConnected,
    CallEnded,
    CallHandedOver,
    CallHeld,
    CallIvrStep,
    CallLeftQueue,
    CallQueued,
    CallRecordingStarted,
    CallStarted,
    CallTransferred,
    CallWrappedUp,
    RequestRegistered,
)

RECORDED = (
    CallStarted
    | CallIvrStep
    | CallHandedOver
    | CallQueued
    | CallAgentRinging
    | CallConnected
    | CallHeld
    | CallTransferred
    | CallAbandoned
    | CallLeftQueue
    | CallRecordingStarted
    | CallEnded
    | CallWrappedUp
    | RequestRegistered
)
_OUTCOME_RANK = {None: 0, IvrOutcome.HUNG_UP: 1, IvrOutcome.COMPLETED: 2, IvrOutcome.HANDED_OVER: 3}
# what only the transport can tell, kept as it said: lost while the link was down, a spy leg
KEPT_STATUSES = frozenset({CallStatus.LOST.value, CallStatus.SPY.value})
IVR_DONE = "done"  # the flow's last step, reached when it says goodbye or hands the call over
# steps at which the caller has been served (a folio read back, a status read): hanging up at
# the closing question after them completes the call in the IVR, it is no hang-up
IVR_SERVED = frozenset({"registered", "status_read"})


def call_id_of(event: BaseEvent) -> str | None:
    """The call an event is about, when it belongs on a call record."""
    return getattr(event, "call_id", None) if isinstance(event, RECORDED) else None


def apply_event(record: CallRecord, event: BaseEvent) -> bool:
    """Apply one event to ``record``; False when it was applied before (same event id)."""
    if event.event_id in record.applied_events:
        return False
    record.applied_events = [*record.applied_events, event.event_id]
    _apply(record, event)
    _settle(record)
    return True


def _apply(record: CallRecord, event: BaseEvent) -> None:  # noqa: C901  (one case per event)
    at = event.occurred_at
    match event:
        case CallStarted():
            record.transport = event.transport
            record.caller = record.caller or event.caller
            record.called = record.called or event.called
            record.started_at = min(record.started_at, at)
        case CallIvrStep() if event.step != IVR_ENTRY:
            if record.ivr_path[-1:] != [event.step]:
                record.ivr_path = [*record.ivr_path, event.step]
            if event.step == IVR_DONE:
                _outcome(record, IvrOutcome.COMPLETED)
        case CallHandedOver():
            _outcome(record, IvrOutcome.HANDED_OVER)
            record.handoff = event.context.model_dump(mode="json")
            record.queue = record.queue or event.queue
        case CallQueued() if record.queued_at is None:
            record.queue, record.queued_at, record.queue_position = event.queue, at, event.position
        case CallAgentRinging():
            record.rings += int(event.answered is None)
            if event.answered is False:
                record.missed += 1
                record.missed_agents = [*record.missed_agents, event.agent]
        case CallConnected() if record.answered_at is None:
            record.answered_at, record.agent = at, event.agent
            record.queue = event.queue or record.queue
            record.wait_seconds = event.wait_seconds
        case CallHeld():
            _hold(record, event.on_hold, at)
        case CallTransferred() if record.transfer_target is None:
            record.transfer_target, record.transferred_at = event.target[:200], at
        case CallAbandoned() if _waiting(record):
            record.abandoned_at, record.wait_seconds = at, event.wait_seconds
            record.queue, record.queue_exit = event.queue or record.queue, "abandoned"
        case CallLeftQueue() if _waiting(record):
            record.wait_seconds, record.queue_exit = event.wait_seconds, event.reason
            record.queue = event.queue or record.queue
        case CallRecordingStarted():
            record.recording = record.recording or event.path
        case CallEnded():
            _end(record, event)
        case CallWrappedUp():
            record.wrapup_disposition = event.disposition[:64]
            record.wrapup_notes, record.wrapped_up_at = event.notes[:2000], at
            record.wrapup_seconds = event.wrapup_seconds
        case RequestRegistered() if event.folio not in record.folios:
            record.folios = [*record.folios, event.folio]


def _waiting(record: CallRecord) -> bool:
    """Still in the queue as far as the record knows: not answered, not gone."""
    return record.answered_at is None and record.abandoned_at is None and not record.queue_exit


def _outcome(record: CallRecord, outcome: IvrOutcome) -> None:
    current = IvrOutcome(record.ivr_outcome) if record.ivr_outcome else None
    if _OUTCOME_RANK[outcome] > _OUTCOME_RANK[current]:
        record.ivr_outcome = outcome.value


def _hold(record: CallRecord, on_hold: bool, at: datetime) -> None:
    if on_hold and record.held_since is None:
        record.hold_count += 1
        record.held_since = at
    elif not on_hold and record.held_since is not None:
        held = (at - record.held_since).total_seconds()
        record.hold_seconds = round(record.hold_seconds + max(held, 0.0), 3)
        record.held_since = None


def _end(record: CallRecord, event: CallEnded) -> None:
    """The first end sets the time; a second report of it only fills what is missing."""
    if record.ended_at is None:
        record.ended_at = event.occurred_at
    if record.duration_seconds is None:
        record.duration_seconds = event.duration_seconds
    record.cause = record.cause or event.cause[:64]
    record.ended_by = record.ended_by or event.ended_by
    if event.status in KEPT_STATUSES:
        record.status = event.status


def _settle(record: CallRecord) -> None:
    """Derive the status, the IVR outcome and who hung up from the facts."""
    if record.ended_at is not None:
        _hold(record, False, record.ended_at)  # hung up while on hold
        if record.duration_seconds is None:
            elapsed = (record.ended_at - record.started_at).total_seconds()
            record.duration_seconds = round(elapsed, 3)
        if record.ivr_path and record.ivr_outcome is None:
            served = not IVR_SERVED.isdisjoint(record.ivr_path)
            record.ivr_outcome = (IvrOutcome.COMPLETED if served else IvrOutcome.HUNG_UP).value
        record.ended_by = record.ended_by or _ended_by(record)
    if record.status not in KEPT_STATUSES:
        record.status = _status(record).value


def _ended_by(record: CallRecord) -> str:
    if record.abandoned_at is not None or record.ivr_outcome == IvrOutcome.HUNG_UP:
        return "caller"
    if record.ivr_outcome == IvrOutcome.COMPLETED and record.queued_at is None:
        return "system" if record.ivr_path[-1:] == [IVR_DONE] else "caller"  # no goodbye heard
    return ""


def _status(record: CallRecord) -> CallStatus:
    if record.answered_at is not None:
        return CallStatus.ANSWERED
    if record.abandoned_at is not None:
        return CallStatus.ABANDONED
    if record.ended_at is None:
        return CallStatus.QUEUED if record.queued_at else CallStatus.IN_PROGRESS
    if record.queue_exit == "left" and record.ivr_path[-1:] == [IVR_DONE]:
        return CallStatus.IVR  # taken from the queue to the IVR (status reading), served there
    if record.queued_at is not None or record.ivr_outcome == IvrOutcome.HANDED_OVER:
        return CallStatus.UNANSWERED
    return CallStatus.IVR if record.ivr_path else CallStatus.UNANSWERED

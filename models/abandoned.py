"""Today's abandoned callers, for the agents to call back: one entry per number, from the call
records (calls abandoned in the queue, and calls whose caller booked a call-back in the IVR).

A number leaves the list by itself once a later call from or to it was answered by an agent
(the caller called again and got through, or a call-back was answered: a call-back's record
is a call *to* the number). Numbers are compared
as the telephony layer normalises them (``normalise``, E.164), which this layer does not know::

    with session_scope(engine, readonly=True) as session:
        callers = abandoned_callers(session, since=midnight, normalise=to_e164)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, or_, select

from models.callback_attempts import RINGING, AttemptResult, CallbackAttempt
from models.calls import CallRecord, CallStatus
from models.ivr_sessions import CallbackRequest


@dataclass
class AbandonedCaller:
    """A number to call back, with its abandoned calls of the day and the attempts so far."""

    number: str
    calls: list[CallRecord]
    callback_requests: list[CallbackRequest] = field(default_factory=list)
    attempts: list[CallbackAttempt] = field(default_factory=list)

    @property
    def latest(self) -> CallRecord:
        """The most recent abandoned call (the one a call-back returns)."""
        return self.calls[-1]

    @property
    def at(self) -> datetime:
        """When the latest call was given up (or ended, or started)."""
        call = self.latest
        return call.abandoned_at or call.ended_at or call.started_at

    @property
    def callback_requested(self) -> bool:
        """The caller asked the IVR for a call-back."""
        return bool(self.callback_requests)

    def being_called(self, now: datetime) -> bool:
        """A call-back is ringing (an agent's, or the IVR dispatcher's) and holds the number."""
        if self.automatic_callback is not None:
            return True
        latest = self.attempts[-1] if self.attempts else None
        if latest is None or latest.result == AttemptResult.FAILED:
            return False
        return now - latest.created_at < RINGING

    @property
    def automatic_callback(self) -> CallbackRequest | None:
        """A call-back the IVR's dispatcher is placing right now (an agent must not race it)."""
        return next((r for r in self.callback_requests if r.status == "placing"), None)


def _key(record: CallRecord, normalise: Callable[[str], str]) -> str:
    return normalise(record.caller)


def abandoned_callers(
    session: Session, *, since: datetime, normalise: Callable[[str], str]
) -> list[AbandonedCaller]:
    """The numbers whose calls since ``since`` were abandoned (or booked a call-back) and that
    nobody has spoken to since, longest waiting first."""
    requests = list(
        session.exec(select(CallbackRequest).where(CallbackRequest.requested_at >= since))
    )
    booked = {r.call_id for r in requests}
    lost = session.exec(
        select(CallRecord)
        .where(
            CallRecord.started_at >= since,
            CallRecord.caller != "",
            or_(CallRecord.status == CallStatus.ABANDONED, col(CallRecord.call_id).in_(booked)),
        )
        .order_by(col(CallRecord.started_at))
    )
    by_number: dict[str, AbandonedCaller] = {}
    for record in lost:
        if record.answered_at is not None:
            continue  # booked a call-back, yet got through anyway
        number = _key(record, normalise)
        entry = by_number.setdefault(number, AbandonedCaller(number=number, calls=[]))
        entry.calls.append(record)
    if not by_number:
        return []
    answered = _answered_since(session, since, normalise)
    waiting = [
        entry
        for number, entry in by_number.items()
        if answered.get(number) is None or answered[number] < entry.latest.started_at
    ]
    _attach(session, waiting, requests, since, normalise)
    return sorted(waiting, key=lambda entry: entry.at)


def _answered_since(
    session: Session, since: datetime, normalise: Callable[[str], str]
) -> dict[str, datetime]:
    """For each number, the start of its latest answered call from or to it."""
    rows = session.exec(
        select(CallRecord.caller, CallRecord.called, CallRecord.started_at).where(
            CallRecord.started_at >= since, col(CallRecord.answered_at).is_not(None)
        )
    )
    latest: dict[str, datetime] = {}
    for caller, called, started in rows:
        for number in {normalise(caller), normalise(called)} - {""}:
            latest[number] = max(latest.get(number, started), started)
    return latest


def _attach(
    session: Session,
    entries: Sequence[AbandonedCaller],
    requests: list[CallbackRequest],
    since: datetime,
    normalise: Callable[[str], str],
) -> None:
    """Each entry's call-back requests booked in the IVR and today's attempts."""
    index = {entry.number: entry for entry in entries}
    attempts = list(
        session.exec(
            select(CallbackAttempt)
            .where(
                col(CallbackAttempt.number).in_(list(index)),
                CallbackAttempt.created_at >= since,
            )
            .order_by(col(CallbackAttempt.seq))
        )
    )
    for attempt in attempts:
        index[attempt.number].attempts.append(attempt)
    made_here = {a.created_callback_id for a in attempts}
    for request in requests:
        entry = index.get(normalise(request.phone))
        if entry is not None and request.id not in made_here:
            entry.callback_requests.append(request)

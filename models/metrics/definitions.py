"""The contact-centre metrics' definitions, written once for live and historical figures.

A call is reduced to a :class:`CallFact` by :func:`fact_of` (from an in-memory record fed
with events, or a stored call record's row), and facts are summed into a :class:`Tally`.
Every figure is computed from tallies, so the wallboard and the reports agree for the same
calls:

- **offered**: calls that joined a queue; a call belongs to the interval (15 minutes, hour,
  day, local time) in which it joined, so a call that spans midnight counts on its first day.
- **answered**: connected to an agent. **Abandoned**: the caller hung up while waiting;
  time-outs, empty-queue exits, key exits and calls taken out of the queue are counted apart
  and never as abandons. **Short abandon**: abandoned after a wait strictly below
  ``short_abandon_seconds`` (4.9 s is short, 5 s is not).
- **service level** = answered within T ÷ (answered + abandoned after T − short abandons),
  T = ``service_level_seconds``, inclusive (answered at exactly T is inside). "Abandoned after
  T − short abandons" is read as a set: the calls abandoned after more than T seconds that are
  not short abandons (nothing is subtracted that was never added; with T ≥ the short-abandon
  threshold it is simply the calls abandoned after T).
- **abandonment rate** = (abandoned − short) ÷ (offered − short); short abandons are
  reported apart.
- **ASA** = total wait of answered calls ÷ answered.
- **handled**: answered calls whose conversation is over (hung up or transferred);
  **AHT** = (talk + hold + wrap-up) ÷ handled, talk from the answer to the end or transfer
  minus hold, wrap-up as the console measured it (``CallWrappedUp``, 0 until it is reported);
  Asterisk's moving averages (``Holdtime``, ``TalkTime``) are never used.

    >>> rules = MetricsRules(short_abandon_seconds=5, service_level_seconds=20)
    >>> rules.is_short_abandon(4.9), rules.is_short_abandon(5.0), rules.within_service(20.0)
    (True, False, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from models.config import Settings


class Outcome(StrEnum):
    """How a queued call stands or left the queue."""

    WAITING = "waiting"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TIMEOUT = "timeout"  # the queue's maximum wait passed
    EMPTY = "empty"  # no agent left in the queue
    KEY = "key"  # the caller pressed an exit key
    LEFT = "left"  # taken out of the queue on purpose (redirected)
    UNANSWERED = "unanswered"  # the call ended in the queue without a reason (link lost)


EXITS = {o.value: o for o in (Outcome.TIMEOUT, Outcome.EMPTY, Outcome.KEY, Outcome.LEFT)}


@dataclass(frozen=True, slots=True)
class MetricsRules:
    """The thresholds and the local time zone of the intervals."""

    short_abandon_seconds: float = 5.0
    service_level_seconds: float = 20.0
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Mexico_City"))

    def is_short_abandon(self, wait: float) -> bool:
        """Abandoned before the short-abandon threshold (strictly)."""
        return wait < self.short_abandon_seconds

    def within_service(self, wait: float) -> bool:
        """Answered within the service-level threshold (inclusive)."""
        return wait <= self.service_level_seconds

    def quarter_of(self, at: datetime) -> datetime:
        """The local 15-minute interval ``at`` falls in (its start, aware, local time)."""
        local = at.astimezone(self.time_zone)
        return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


class Interval(StrEnum):
    """The report intervals; hours and days are unions of 15-minute intervals."""

    QUARTER = "15min"
    HOUR = "hour"
    DAY = "day"

    def start_of(self, quarter: datetime) -> datetime:
        """The start of the interval a 15-minute interval (local start) belongs to."""
        if self is Interval.QUARTER:
            return quarter
        if self is Interval.HOUR:
            return quarter.replace(minute=0)
        return quarter.replace(hour=0, minute=0)


class CallFields(Protocol):
    """What the definitions read of a call: a ``CallRecord`` or a row of its columns."""

    @property
    def queue(self) -> str | None: ...
    @property
    def queued_at(self) -> datetime | None: ...
    @property
    def answered_at(self) -> datetime | None: ...
    @property
    def abandoned_at(self) -> datetime | None: ...
    @property
    def wait_seconds(self) -> float | None: ...
    @property
    def queue_exit(self) -> str | None: ...
    @property
    def agent(self) -> str | None: ...
    @property
    def hold_seconds(self) -> float: ...
    @property
    def transferred_at(self) -> datetime | None: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def wrapup_seconds(self) -> float | None: ...
    @property
    def missed_agents(self) -> list[str] | None: ...


@dataclass(frozen=True, slots=True)
class CallFact:
    """One queued call as the metrics see it."""

    queue: str
    joined_at: datetime
    outcome: Outcome
    wait_seconds: float = 0.0  # until answered or gone (so far, for a call still waiting: 0)
    agent: str = ""
    handled: bool = False  # answered and the conversation is over
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    wrapup_seconds: float = 0.0
    missed_agents: tuple[str, ...] = ()


def _seconds(since: datetime, until: datetime | None) -> float:
    return max((until - since).total_seconds(), 0.0) if until is not None else 0.0


def _outcome(call: CallFields) -> Outcome:
    if call.answered_at is not None:
        return Outcome.ANSWERED
    if call.abandoned_at is not None or call.queue_exit == Outcome.ABANDONED:
        return Outcome.ABANDONED
    if call.queue_exit in EXITS:
        return EXITS[call.queue_exit]
    return Outcome.UNANSWERED if call.ended_at is not None else Outcome.WAITING


def fact_of(call: CallFields) -> CallFact | None:
    """The fact of a call, or None when it never joined a queue.

    The wait is the transport's own figure when it gave one, else the time from joining to
    the answer or the abandon.
    """
    if call.queued_at is None:
        return None
    outcome = _outcome(call)
    left_at = call.answered_at or call.abandoned_at
    wait = call.wait_seconds if call.wait_seconds is not None else _seconds(call.queued_at, left_at)
    fact = CallFact(
        queue=call.queue or "",
        joined_at=call.queued_at,
        outcome=outcome,
        wait_seconds=wait,
        missed_agents=tuple(call.missed_agents or ()),
    )
    if call.answered_at is None:
        return fact
    over_at = call.transferred_at or call.ended_at
    hold = call.hold_seconds or 0.0
    return CallFact(
        queue=fact.queue,
        joined_at=fact.joined_at,
        outcome=outcome,
        wait_seconds=wait,
        agent=call.agent or "",
        handled=over_at is not None,
        talk_seconds=max(_seconds(call.answered_at, over_at) - hold, 0.0),
        hold_seconds=hold,
        wrapup_seconds=call.wrapup_seconds or 0.0,
        missed_agents=fact.missed_agents,
    )


def ms(seconds: float) -> int:
    """Seconds as whole milliseconds: sums of them are exact whatever the order of adding."""
    return round(seconds * 1000)


@dataclass(slots=True)
class Tally:
    """Counts and sums (milliseconds) of calls; additive, so intervals, queues and days roll
    up by adding, and a call that changes is taken out and counted again."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    abandoned_after: int = 0  # after more than T, and not short
    timeouts: int = 0
    empty_exits: int = 0
    key_exits: int = 0
    left: int = 0
    unanswered: int = 0
    waiting: int = 0
    answered_wait_ms: int = 0
    handled: int = 0
    talk_ms: int = 0
    hold_ms: int = 0
    wrapup_ms: int = 0

    def add(self, fact: CallFact, rules: MetricsRules, sign: int = 1) -> None:
        """Count ``fact`` in (``sign=-1``: take it out again)."""
        self.offered += sign
        match fact.outcome:
            case Outcome.ANSWERED:
                self.answered += sign
                self.answered_within += sign * rules.within_service(fact.wait_seconds)
                self.answered_wait_ms += sign * ms(fact.wait_seconds)
            case Outcome.ABANDONED:
                short = rules.is_short_abandon(fact.wait_seconds)
                after = fact.wait_seconds > rules.service_level_seconds and not short
                self.abandoned += sign
                self.short_abandoned += sign * short
                self.abandoned_after += sign * after
            case Outcome.TIMEOUT:
                self.timeouts += sign
            case Outcome.EMPTY:
                self.empty_exits += sign
            case Outcome.KEY:
                self.key_exits += sign
            case Outcome.LEFT:
                self.left += sign
            case Outcome.UNANSWERED:
                self.unanswered += sign
            case Outcome.WAITING:
                self.waiting += sign
        if fact.handled:
            self.handled += sign
            self.talk_ms += sign * ms(fact.talk_seconds)
            self.hold_ms += sign * ms(fact.hold_seconds)
            self.wrapup_ms += sign * ms(fact.wrapup_seconds)

    def merge(self, other: Tally) -> Tally:
        """Add ``other`` into this tally; returns it."""
        for name in _TALLY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def handle_seconds(self) -> float:
        """Talk + hold + wrap-up of the handled calls."""
        return (self.talk_ms + self.hold_ms + self.wrapup_ms) / 1000

    @property
    def service_level(self) -> float | None:
        """Answered within T ÷ (answered + abandoned after T − short abandons); None: no call."""
        base = self.answered + self.abandoned_after
        return self.answered_within / base if base else None

    @property
    def abandon_rate(self) -> float | None:
        """(Abandoned − short) ÷ (offered − short)."""
        base = self.offered - self.short_abandoned
        return (self.abandoned - self.short_abandoned) / base if base else None

    @property
    def asa(self) -> float | None:
        """Average speed of answer, seconds."""
        return self.answered_wait_ms / 1000 / self.answered if self.answered else None

    @property
    def aht(self) -> float | None:
        """Average handle time (talk + hold + wrap-up), seconds."""
        return self.handle_seconds / self.handled if self.handled else None


_TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def rules_of(settings: Settings) -> MetricsRules:
    """The rules the settings give (``SUAC_METRICS__…`` and ``SUAC_TIME_ZONE``)."""
    return MetricsRules(
        short_abandon_seconds=settings.metrics.short_abandon_seconds,
        service_level_seconds=settings.metrics.service_level_seconds,
        time_zone=ZoneInfo(settings.time_zone),
    )
